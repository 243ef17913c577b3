/**
 * Builds a run's report folder: reads the run, makes every table and figure that its results allow, writes
 * `index.html` (self-contained) and one PNG per figure.
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import { attentionFigure } from "./charts/attention.ts";
import { confusionFigure } from "./charts/confusion.ts";
import { efScatterFigure } from "./charts/ef_scatter.ts";
import { examplesFigure } from "./charts/examples.ts";
import { fractionsFigure } from "./charts/fractions.ts";
import { learningCurveFigure } from "./charts/learning_curve.ts";
import { lossFigure } from "./charts/loss.ts";
import { robustnessFigure } from "./charts/robustness.ts";
import { umapFigure } from "./charts/umap.ts";
import type { Figure } from "./figure.ts";
import { type PageSection, reportPage } from "./html/page.ts";
import { findFont } from "./render/fonts.ts";
import { svgToPng } from "./render/svg_png.ts";
import { loadRun, type RunData } from "./run_data.ts";
import { controlledTable } from "./tables/controlled.ts";
import { efTable } from "./tables/ef.ts";
import { fractionsTable } from "./tables/fractions.ts";
import { pediatricTable } from "./tables/pediatric.ts";
import { protocolTable } from "./tables/protocol.ts";
import { verdictsTable } from "./tables/verdicts.ts";
import { robustnessTable } from "./tables/robustness.ts";
import { rvspTable } from "./tables/rvsp.ts";

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** Output folder (default `<run>/report`). */
  outDir?: string;
  /** TrueType font for the PNGs (default: a common system font, see `render/fonts.ts`). */
  fontPath?: string;
  /** Write PNG files of the figures (default true). */
  png?: boolean;
  /** Seed of the UMAP layouts (default 0). */
  umapSeed?: number;
  /** Called with a short message as each step starts (for progress on stderr). */
  onProgress?: (message: string) => void;
}

/** What {@link buildReport} wrote. */
export interface ReportSummary {
  /** Path of index.html. */
  html: string;
  /** Paths of the PNG files. */
  pngs: string[];
  /** What the run has not measured yet. */
  missing: string[];
  /** Side files that could not be read. */
  problems: string[];
  /** Set when no font was found: the PNGs have no text (the HTML is unaffected). */
  warning?: string;
}

/** The page's sections, in order, from a loaded run. */
export async function reportSections(run: RunData, options: ReportOptions = {}): Promise<PageSection[]> {
  const r = run.results;
  const progress = options.onProgress ?? (() => {});
  const fig = (figure: Figure) => ({ kind: "figure" as const, figure });
  const tab = (table: ReturnType<typeof controlledTable>) => ({ kind: "table" as const, table });
  progress("charts: pretraining curves");
  const loss = await lossFigure(r);
  const curve = await learningCurveFigure(r);
  progress("charts: UMAP of embeddings");
  const umap = await umapFigure(run.embeddings, r.data?.views ?? [], { seed: options.umapSeed ?? 0 });
  progress("charts: probes and robustness");
  const fractions = await fractionsFigure(r);
  const confusion = await confusionFigure(r);
  const scatter = await efScatterFigure(r);
  const robustness = await robustnessFigure(r);
  const examples = examplesFigure(run.examples);
  const attention = attentionFigure(run.attention);
  return [
    {
      heading: "What this run says about the paper's claims",
      intro:
        "Each verdict rests on the paired comparisons listed beside it; nothing here is tuned on the test split.",
      items: [tab(verdictsTable(r))],
    },
    {
      heading: "Pretraining",
      intro:
        "Both backbones see the same clips, augmentation and number of steps; only the objective differs.",
      items: [fig(loss), fig(curve)],
    },
    {
      heading: "What the frozen features know",
      items: [fig(umap), tab(controlledTable(r))],
    },
    {
      heading: "Label efficiency (view classification)",
      items: [tab(protocolTable(r)), tab(fractionsTable(r)), fig(fractions), fig(confusion), fig(attention)],
    },
    { heading: "Ejection fraction", items: [tab(efTable(r)), fig(scatter)] },
    { heading: "Multi-view RVSP and ablations", items: [tab(rvspTable(r))] },
    { heading: "Zero-shot paediatric transfer", items: [tab(pediatricTable(r))] },
    {
      heading: "Robustness to acoustic artefacts",
      items: [tab(robustnessTable(r)), fig(robustness), fig(examples)],
    },
  ];
}

/** "controlled: No EF or view-classification results yet." for each table or figure without data. */
export function missingItems(sections: PageSection[]): string[] {
  return sections.flatMap((s) =>
    s.items.flatMap((item) => {
      const thing = item.kind === "table" ? item.table : item.figure;
      return thing.missing ? [`${thing.title}: ${thing.missing}`] : [];
    })
  );
}

/** Reads `runDir` and writes its report; returns what was written. */
export async function buildReport(runDir: string, options: ReportOptions = {}): Promise<ReportSummary> {
  const progress = options.onProgress ?? (() => {});
  progress(`reading ${join(runDir, "results.json")}`);
  const run = await loadRun(runDir);
  const outDir = options.outDir ?? join(runDir, "report");
  await Deno.mkdir(outDir, { recursive: true });
  const sections = await reportSections(run, options);
  const missing = missingItems(sections);
  const html = reportPage({
    runName: basename(resolve(runDir)),
    results: run.results,
    sections,
    missing,
    problems: run.problems,
  });
  const htmlPath = join(outDir, "index.html");
  await Deno.writeTextFile(htmlPath, html);
  const pngs: string[] = [];
  let warning: string | undefined;
  if (options.png ?? true) {
    const font = findFont(options.fontPath);
    if (!font) warning = "no TrueType font found (pass --font PATH): PNG figures are drawn without text";
    for (const section of sections) {
      for (const item of section.items) {
        if (item.kind !== "figure" || !item.figure.svg) continue;
        progress(`png: ${item.figure.id}.png`);
        const path = join(outDir, `${item.figure.id}.png`);
        await Deno.writeFile(path, await svgToPng(item.figure.svg, { font }));
        pngs.push(path);
      }
    }
  }
  return { html: htmlPath, pngs, missing, problems: run.problems, warning };
}
