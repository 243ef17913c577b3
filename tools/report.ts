/**
 * `deno task report`: turns a demo run folder (its `results.json` and side files) into `<run>/report/index.html`, a
 * self-contained page of tables and figures beside the paper's numbers, plus each figure as PNG. Works on a run that
 * is still going or stopped early: whatever is missing is listed in the report.
 *
 *     deno task report --run runs/demo
 *     deno task report --run runs/demo --out /tmp/report --font /path/to/Font.ttf
 *     deno task report --run /tmp/preview --fixture     # a fake run, to preview the layout
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ensureWritableDir, numberFlag, runCli } from "./lib/cli.ts";
import { buildReport, fakeRun, writeFakeRun } from "./report/mod.ts";

const HELP = `deno task report --run DIR [options]

Builds DIR/report/index.html (self-contained, opens offline) and one PNG per figure from DIR/results.json.

Options:
  --run DIR       the demo's run folder (holds results.json; default runs/demo)
  --out DIR       where the report goes (default DIR/report)
  --font PATH     TrueType font for the PNG figures (default: DejaVu Sans or another system sans-serif)
  --no-png        write only index.html
  --seed N        seed of the UMAP layouts (default 0)
  --fixture       first write a fake run (made-up numbers) into --run DIR, to preview the report
  -h, --help      this text
`;

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      run: { type: "string", default: "runs/demo" },
      out: { type: "string" },
      font: { type: "string" },
      "no-png": { type: "boolean", default: false },
      seed: { type: "string", default: "0" },
      fixture: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const seed = numberFlag("seed", values.seed, { integer: true })!;
  const runDir = values.run!;
  // Before reading the run or laying out anything: the folder the report goes to.
  await ensureWritableDir("out", values.out ?? `${runDir}/report`);
  if (values.fixture) await writeFakeRun(runDir, fakeRun(seed));
  const start = performance.now();
  const summary = await buildReport(runDir, {
    outDir: values.out,
    fontPath: values.font,
    png: !values["no-png"],
    umapSeed: seed,
    onProgress: (message) =>
      console.error(`[report ${((performance.now() - start) / 1000).toFixed(1).padStart(5)} s] ${message}`),
  });
  if (summary.warning) console.error(`report: warning: ${summary.warning}`);
  for (const problem of summary.problems) console.error(`report: could not read ${problem}`);
  if (summary.missing.length > 0) {
    console.error(`report: ${summary.missing.length} sections not measured yet (listed in the report)`);
  }
  console.log(
    `${summary.html}  (+ ${summary.pngs.length} PNG figures, ${
      ((performance.now() - start) / 1000).toFixed(1)
    } s)`,
  );
}

if (import.meta.main) await runCli("report", main);
