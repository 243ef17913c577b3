/** A plain-text summary of the demo's results for the terminal: the fair protocol's table and the verdicts. */

import { FROZEN_PROBE_KINDS } from "@echojepa/probe";
import { BACKBONES, type DemoResults } from "./results.ts";
import { type ClaimId, CLAIMS } from "./verdicts.ts";

/** JSON turns NaN (e.g. an AUROC with one class absent) into null; both print as a dash. */
const f = (v: number | null | undefined, digits = 2): string =>
  v == null || Number.isNaN(v) ? "—" : v.toFixed(digits);

/** Budgets shown in the terminal table (all of them are in results.json and the report). */
const SHOWN_BUDGETS = ["1-shot", "5-shot", "1%", "10%", "100%"];

/**
 * The controlled comparison as a text table: one row per backbone; view accuracy (%) per label budget as
 * attentive/linear/kNN means over the draws, then EF (attentive probe) and the other tasks.
 */
export function summaryTable(r: DemoResults): string {
  const head = [
    "backbone",
    ...SHOWN_BUDGETS.map((b) => `view ${b} a/l/k`),
    "EF MAE",
    "EF R²",
    "paed MAE",
    "RVSP MAE",
    "rob. deg %",
  ];
  const rows = BACKBONES.filter((b) => r.probes?.[b] || r.ef[b]).map((b) => {
    const probes = r.probes?.[b];
    const acc = (budget: string) =>
      probes?.[budget]
        ? FROZEN_PROBE_KINDS.map((k) => f(probes[budget][k]?.accuracy.mean, 1)).join("/")
        : "—";
    return [
      b,
      ...SHOWN_BUDGETS.map(acc),
      f(r.ef[b]?.mae),
      f(r.ef[b]?.r2),
      f(r.pediatric[b]?.pediatricMae),
      f(r.rvsp[b]?.["multi-view"]?.mae),
      f(r.robustness[b]?.averageDegradation, 1),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  const chance = r.data.views.length ? (100 / r.data.views.length).toFixed(1) : "—";
  return [
    `\nEchoJEPA demo (${r.preset}, seed ${r.seed ?? 0}) — phantom test patients; view accuracy in % ` +
    `(attentive/linear/kNN, chance ${chance}), EF in EF points, RVSP in mmHg`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}

/** One line per claim: its verdict and the statistic behind it. */
export function verdictLines(r: DemoResults): string {
  if (!r.verdicts) return "\nno verdicts yet";
  return [
    "\nThe paper's claims on this run:",
    ...(Object.keys(CLAIMS) as ClaimId[]).map((id) => {
      const v = r.verdicts![id];
      return `(${id}) ${v.claim}: ${v.verdict.toUpperCase()} — ${v.statistic}`;
    }),
  ].join("\n");
}
