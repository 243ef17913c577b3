/** A plain-text summary of the demo's results for the terminal. */

import { BACKBONES, type DemoResults } from "./results.ts";

/** JSON turns NaN (e.g. an AUROC with one class absent) into null; both print as a dash. */
const f = (v: number | null | undefined, digits = 2): string =>
  v == null || Number.isNaN(v) ? "—" : v.toFixed(digits);

/** The controlled comparison as a text table: one row per backbone. */
export function summaryTable(r: DemoResults): string {
  const head = [
    "backbone",
    "view 1%",
    "view 10%",
    "view 100%",
    "EF MAE",
    "EF R²",
    "AUROC<50",
    "paed MAE",
    "RVSP MAE",
    "rob. deg %",
  ];
  const rows = BACKBONES.map((b) => {
    const v = r.viewClassification[b];
    const acc = (k: string) => (v?.[k] ? `${f(v[k].accuracy.mean, 1)}±${f(v[k].accuracy.std, 1)}` : "—");
    return [
      b,
      acc("1%"),
      acc("10%"),
      acc("100%"),
      f(r.ef[b]?.mae),
      f(r.ef[b]?.r2),
      f(r.ef[b]?.auroc50),
      f(r.pediatric[b]?.pediatricMae),
      f(r.rvsp[b]?.["multi-view"]?.mae),
      f(r.robustness[b]?.averageDegradation, 1),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [
    `\nEchoJEPA demo (${r.preset}) — phantom test patients; view accuracy in %, EF in EF points, RVSP in mmHg`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}
