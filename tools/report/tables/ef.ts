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
    const valMaes = ef.attentive?.valMae !== undefined && ef.linear?.valMae !== undefined
      ? ` (val ${fixed(ef.attentive.valMae)} / ${fixed(ef.linear.valMae)})`
      : "";
    rows.push([
      BACKBONE_ROW_LABELS[backbone],
      `${ef.probe ?? "attentive"}${valMaes}`,
      `${fixed(ef.mae)} [${fixed(ef.maeLow)}, ${fixed(ef.maeHigh)}]`,
      fixed(ef.rmse),
      fixed(ef.r2),
      fixed(ef.pearson),
      fixed(ef.auroc50, 3),
      fixed(ef.auroc40, 3),
    ]);
  }
  // The mean predictor every probe must beat: the training EF mean, scored on the same test clips.
  const anyEf = BACKBONES.map((b) => results.ef[b]).find((e) => e?.trainMean !== undefined);
  if (anyEf) {
    const m = anyEf.trainMean!;
    const err = anyEf.target.map((t) => t - m);
    const mae0 = err.reduce((s, e) => s + Math.abs(e), 0) / err.length;
    const sse = err.reduce((s, e) => s + e * e, 0);
    const testMean = anyEf.target.reduce((s, t) => s + t, 0) / anyEf.target.length;
    const sst = anyEf.target.reduce((s, t) => s + (t - testMean) ** 2, 0);
    rows.push([
      "Training mean (no features)",
      MISSING,
      fixed(mae0),
      fixed(Math.sqrt(sse / err.length)),
      fixed(1 - sse / sst),
      ...Array(3).fill(MISSING),
    ]);
  }
  const caption = [
    winnerSentence("EF MAE", mae, "lower", (v) => fixed(v), {
      values: halfWidth,
      name: "the 90 % bootstrap intervals",
    }),
    winnerSentence("R²", r2, "higher", (v) => fixed(v)),
    winnerSentence("AUROC for EF < 50 %", auroc, "higher", (v) => fixed(v, 3)),
    "Each backbone's EF probe is whichever of the attentive probe and the linear probe (each place's time mean " +
    "and spread over the clip) has the lower validation MAE (both in brackets: attentive / linear). " +
    "MAE in EF percentage points on held-out test patients, 90 % bootstrap interval in brackets; " +
    `"${MISSING}" where a class is absent from the test set.`,
    PHANTOM_NOTE,
  ].join(" ");
  return {
    id: "ef",
    title: "Ejection fraction regression",
    columns: [
      "Model",
      "EF probe",
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
        ) => [m, MISSING, p.lvefMae.toFixed(2), ...Array(5).fill(MISSING)]),
      },
      { label: OURS_GROUP, rows },
    ],
    caption,
    missing: rows.length === 0 ? "No EF results yet." : undefined,
  };
}
