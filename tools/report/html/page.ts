/**
 * The whole report page: header with the run's settings, a list of what is still missing, then the sections of
 * tables and figures. Self-contained: inline CSS and SVG, images as data URIs, no scripts, no network.
 *
 * @module
 */

import type { Figure } from "../figure.ts";
import { duration, MISSING } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import type { Table } from "../table.ts";
import { escapeHtml } from "./escape.ts";
import { figureHtml } from "./figure_html.ts";
import { REPORT_CSS } from "./style.ts";
import { tableHtml } from "./table_html.ts";

/** One section of the page: a heading, an optional intro and its tables and figures in order. */
export interface PageSection {
  heading: string;
  intro?: string;
  items: ({ kind: "table"; table: Table } | { kind: "figure"; figure: Figure })[];
}

/** Everything the page shows. */
export interface PageInput {
  /** The run's name (its folder name). */
  runName: string;
  results: RunResults;
  sections: PageSection[];
  /** What has no results yet, one line each. */
  missing: string[];
  /** Side files that could not be read. */
  problems: string[];
}

function facts(entries: [string, string][]): string {
  return `<dl class="facts">${
    entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")
  }</dl>`;
}

function runFacts(results: RunResults): string {
  const entries: [string, string][] = [];
  const d = results.data;
  if (d) {
    const split = (s: { train: number; val: number; test: number; pediatric: number }): string =>
      `${s.train} train / ${s.val} val / ${s.test} test / ${s.pediatric} paediatric`;
    entries.push(["Patients", split(d.patients)], ["Clips", split(d.clips)]);
    if (d.ef) {
      const { patients: p, clips: c } = d.ef;
      entries.push([
        "EF task (A4C + A2C)",
        `${c.train} / ${c.val} / ${c.test} clips (train / val / test) from ${p.train} / ${p.val} / ${p.test} patients`,
      ]);
    }
    const rate = d.fps ? ` at ${d.fps} fps` : "";
    entries.push(["Clip shape", `${d.frames} frames${rate} × ${d.size}×${d.size} px`], [
      "Views",
      d.views.join(", "),
    ]);
  }
  const e = results.encoder;
  if (e) {
    entries.push([
      "Encoder (all backbones)",
      `ViT, ${e.depth} blocks × ${e.embedDim} dims, ${e.numHeads} heads, ${e.patchSize}×${e.patchSize}×` +
      `${e.tubeletSize} tubelets, ${(e.params / 1e6).toFixed(2)} M parameters` +
      (e.positionEncoding === "sincos" ? ", fixed sin-cos positions" : e.positionEncoding ? ", RoPE" : ""),
    ]);
  }
  for (const [objective, record] of Object.entries(results.pretraining)) {
    if (!record) continue;
    entries.push([
      `Pretraining ${objective.toUpperCase()}`,
      `${record.steps} steps, ${record.clipsPerSecond.toFixed(1)} clips/s, ${duration(record.seconds)}`,
    ]);
  }
  const stages = Object.entries(results.stageSeconds);
  if (stages.length > 0) {
    const total = stages.reduce((a, [, s]) => a + s, 0);
    entries.push([
      "Stage times",
      `${stages.map(([name, s]) => `${name} ${duration(s)}`).join(", ")} (total ${duration(total)})`,
    ]);
  }
  return entries.length > 0
    ? facts(entries)
    : `<p class="missing">No data or encoder settings recorded yet.</p>`;
}

/** Renders the report page. */
export function reportPage(input: PageInput): string {
  const r = input.results;
  const meta = [
    `preset ${r.preset ?? MISSING}`,
    `backend ${r.adapter ?? MISSING}`,
    `results written ${r.updatedAt ?? MISSING}`,
  ].join(" · ");
  const missing = input.missing.length > 0
    ? `<h2>Not measured yet</h2><p>The run has not (yet) written these; re-run the report when it has:</p><ul>${
      input.missing.map((m) => `<li>${escapeHtml(m)}</li>`).join("")
    }</ul>`
    : "";
  const problems = input.problems.length > 0
    ? `<div class="problems"><strong>Side files that could not be read:</strong><ul>${
      input.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")
    }</ul></div>`
    : "";
  const sections = input.sections.map((section) =>
    [
      `<h2>${escapeHtml(section.heading)}</h2>`,
      section.intro ? `<p>${escapeHtml(section.intro)}</p>` : "",
      ...section.items.map((item) => item.kind === "table" ? tableHtml(item.table) : figureHtml(item.figure)),
    ].join("\n")
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EchoJEPA-TS demo report: ${escapeHtml(input.runName)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>EchoJEPA-TS demo report: ${escapeHtml(input.runName)}</h1>
<p class="meta">${escapeHtml(meta)}</p>
<p class="banner">A miniature of the EchoJEPA experiments on the built-in echo phantom: a self-supervised JEPA
backbone, a pixel-reconstruction (MAE) backbone with the same encoder, data, augmentation and step budget, and a
randomly initialised floor, each frozen and probed on held-out phantom patients. The paper's numbers (real
echocardiograms, far larger models and data) stand beside ours for orientation only: this is not a reproduction.</p>
${problems}
<h2>Run</h2>
${runFacts(r)}
${missing}
${sections.join("\n")}
<footer>Written by <code>deno task report</code> from results.json; every caption is computed from the numbers
shown. Figures are also saved as PNG beside this page.</footer>
</body>
</html>
`;
}
