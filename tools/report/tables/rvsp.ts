/**
 * The multi-view RVSP-like task and its ablations (the paper's Table 3 ablation on EchoJEPA-G), one column per
 * backbone, with the change each ablation makes computed from the numbers.
 *
 * @module
 */

import { type Backbone, BACKBONES, PAPER, type RvspVariant } from "../../demo/results.ts";
import { fixed, MISSING } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { PHANTOM_NOTE, type Table } from "../table.ts";
import { BACKBONE_LABELS, winnerSentence } from "../winner.ts";

/** The variants in row order. */
export const RVSP_VARIANTS: readonly RvspVariant[] = [
  "multi-view",
  "no view dropout",
  "no stream embeddings",
  "late fusion",
  "A4C only",
  "Subcostal only",
];

const PAPER_ABLATION: Partial<Record<RvspVariant, number>> = {
  "multi-view": PAPER.rvspAblation.full,
  "no view dropout": PAPER.rvspAblation["no view dropout"],
  "no stream embeddings": PAPER.rvspAblation["no stream embeddings"],
  "late fusion": PAPER.rvspAblation["late fusion"],
};

/** "no view dropout +0.83, late fusion +0.55" relative to the full model, largest change first. */
function ablationDeltas(values: Partial<Record<RvspVariant, number>>): string {
  const full = values["multi-view"];
  if (full === undefined || !Number.isFinite(full)) return "";
  return RVSP_VARIANTS.slice(1, 4)
    .filter((v) => Number.isFinite(values[v]))
    .map((v) => ({ v, delta: values[v]! - full }))
    .sort((a, b) => b.delta - a.delta)
    .map(({ v, delta }) => `${v} ${delta >= 0 ? "+" : ""}${delta.toFixed(2)}`)
    .join(", ");
}

/** The RVSP table (MAE, R² in brackets). */
export function rvspTable(results: RunResults): Table {
  const present = BACKBONES.filter((b) => results.rvsp[b] && Object.keys(results.rvsp[b]!).length > 0);
  const rows = RVSP_VARIANTS.map((variant) => [
    variant,
    PAPER_ABLATION[variant]?.toFixed(2) ?? MISSING,
    ...present.map((b) => {
      const r = results.rvsp[b]?.[variant];
      return r ? `${fixed(r.mae)} (${fixed(r.r2)})` : MISSING;
    }),
  ]);
  const multiView: Partial<Record<Backbone, number>> = {};
  for (const b of present) {
    const r = results.rvsp[b]?.["multi-view"];
    if (r) multiView[b] = r.mae;
  }
  const focus = present.includes("jepa") ? "jepa" : present[0];
  const ourDeltas = focus
    ? ablationDeltas(Object.fromEntries(RVSP_VARIANTS.map((v) => [v, results.rvsp[focus]?.[v]?.mae ?? NaN])))
    : "";
  const toronto = Object.entries(PAPER.rvspToronto).map(([m, v]) => `${m} ${v}`).join(", ");
  const caption = [
    winnerSentence("multi-view MAE", multiView, "lower", (v) => fixed(v)),
    ourDeltas ? `Ablations on ${BACKBONE_LABELS[focus!]} (MAE change vs multi-view): ${ourDeltas}.` : "",
    `Paper (EchoJEPA-G): ${ablationDeltas(PAPER_ABLATION)}; multi-view MAE by model: ${toronto} mmHg.`,
    "Our RVSP is the phantom's synthetic pressure, in mmHg-like units.",
    PHANTOM_NOTE,
  ].filter((s) => s).join(" ");
  return {
    id: "rvsp",
    title: "Multi-view RVSP regression and ablations: MAE (R²)",
    columns: ["Variant", "Paper EchoJEPA-G MAE", ...present.map((b) => `${BACKBONE_LABELS[b]} MAE (R²)`)],
    groups: [{ label: "Paper beside ours (phantom miniature)", rows }],
    caption,
    missing: present.length === 0 ? "No RVSP results yet." : undefined,
  };
}
