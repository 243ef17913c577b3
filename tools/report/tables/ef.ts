/**
 * EF regression details per backbone: MAE with its bootstrap interval, RMSE, R², Pearson r and AUROC for detecting
 * reduced EF, beside the paper's LVEF MAE.
 *
 * @module
 */

import { type Backbone, BACKBONES, PAPER } from "../../demo/results.ts";
import { fixed, MISSING } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { OURS_GROUP, PAPER_GROUP, PHANTOM_NOTE, type Table } from "../table.ts";
import { winnerSentence } from "../winner.ts";
import { BACKBONE_ROW_LABELS } from "./labels.ts";

/** The EF details table. */
export function efTable(results: RunResults): Table {
  const rows: string[][] = [];
  const mae: Partial<Record<Backbone, number>> = {};
  const r2: Partial<Record<Backbone, number>> = {};
  const auroc: Partial<Record<Backbone, number>> = {};
  const halfWidth: Partial<Record<Backbone, number>> = {};
  for (const backbone of BACKBONES) {
    const ef = results.ef[backbone];
    if (!ef) continue;
    mae[backbone] = ef.mae;
    halfWidth[backbone] = (ef.maeHigh - ef.maeLow) / 2;
    r2[backbone] = ef.r2;
    auroc[backbone] = ef.auroc50;
    rows.push([
      BACKBONE_ROW_LABELS[backbone],
      `${fixed(ef.mae)} [${fixed(ef.maeLow)}, ${fixed(ef.maeHigh)}]`,
      fixed(ef.rmse),
      fixed(ef.r2),
      fixed(ef.pearson),
      fixed(ef.auroc50, 3),
      fixed(ef.auroc40, 3),
    ]);
  }
  const caption = [
    winnerSentence("EF MAE", mae, "lower", (v) => fixed(v), {
      values: halfWidth,
      name: "the 90 % bootstrap intervals",
    }),
    winnerSentence("R²", r2, "higher", (v) => fixed(v)),
    winnerSentence("AUROC for EF < 50 %", auroc, "higher", (v) => fixed(v, 3)),
    "MAE in EF percentage points on held-out test patients, 90 % bootstrap interval in brackets; " +
    `"${MISSING}" where a class is absent from the test set.`,
    PHANTOM_NOTE,
  ].join(" ");
  return {
    id: "ef",
    title: "Ejection fraction regression",
    columns: [
      "Model",
      "MAE [90 % CI] ↓",
      "RMSE ↓",
      "R² ↑",
      "Pearson r ↑",
      "AUROC EF<50 % ↑",
      "AUROC EF<40 % ↑",
    ],
    groups: [
      {
        label: PAPER_GROUP,
        rows: Object.entries(PAPER.controlled).map((
          [m, p],
        ) => [m, p.lvefMae.toFixed(2), ...Array(5).fill(MISSING)]),
      },
      { label: OURS_GROUP, rows },
    ],
    caption,
    missing: rows.length === 0 ? "No EF results yet." : undefined,
  };
}
