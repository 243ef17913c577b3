/**
 * @module
 * The demo's report: {@link buildReport} reads a run folder written by `deno task demo` (`results.json` plus the
 * side files it names) and writes `report/index.html` (self-contained) and one PNG per figure. Sections the run has
 * not measured yet are listed in the page instead of failing.
 *
 * @example
 * ```ts
 * import { buildReport, fakeRun, writeFakeRun } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFakeRun(dir, fakeRun()); // made-up numbers, to see the layout
 * const summary = await buildReport(dir, { onProgress: (m) => console.error(m) });
 * console.log(summary.html, summary.pngs.length, summary.missing);
 * ```
 */
export {
  buildReport,
  missingItems,
  type ReportOptions,
  reportSections,
  type ReportSummary,
} from "./build_report.ts";
export {
  type EmbeddingSet,
  type ExampleClips,
  loadRun,
  normalizeResults,
  type RunData,
  type RunResults,
} from "./run_data.ts";
export { fakePartialRun, type FakeRun, fakeRun, writeFakeRun } from "./fixture.ts";
