/**
 * Table 1 of the paper in miniature: the controlled comparison (same encoder, data and compute; only the
 * pretraining objective differs) on EF MAE and view accuracy with all labels.
 *
 * @module
 */

import { type Backbone, BACKBONES, PAPER } from "../../demo/results.ts";
import { fixed } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { OURS_GROUP, PAPER_GROUP, PHANTOM_NOTE, type Table } from "../table.ts";
import { chanceSentence } from "./fractions.ts";
import { BACKBONE_ROW_LABELS } from "./labels.ts";
import { winnerSentence } from "../winner.ts";

/** The controlled comparison table. */
export function controlledTable(results: RunResults): Table {
  const efMae: Partial<Record<Backbone, number>> = {};
  const viewAcc: Partial<Record<Backbone, number>> = {};
  const halfWidth: Partial<Record<Backbone, number>> = {};
  const rows: string[][] = [];
  for (const backbone of BACKBONES) {
    const ef = results.ef[backbone];
    const view = results.viewClassification[backbone]?.["100%"];
    if (!ef && !view) continue;
    if (ef) {
      efMae[backbone] = ef.mae;
      halfWidth[backbone] = (ef.maeHigh - ef.maeLow) / 2;
    }
    if (view) viewAcc[backbone] = view.accuracy.mean;
    rows.push([BACKBONE_ROW_LABELS[backbone], fixed(ef?.mae), fixed(view?.accuracy.mean, 1)]);
  }
  const paper = PAPER.controlled;
  const caption = [
    winnerSentence("EF MAE", efMae, "lower", (v) => fixed(v), {
      values: halfWidth,
      name: "the 90 % bootstrap intervals",
    }),
    winnerSentence("view accuracy with all labels", viewAcc, "higher", (v) => `${fixed(v, 1)} %`),
    chanceSentence(results),
    `Paper: EchoJEPA-L ${paper["EchoJEPA-L"].lvefMae} vs EchoMAE-L ${paper["EchoMAE-L"].lvefMae} LVEF MAE, ` +
    `${paper["EchoJEPA-L"].viewAcc} vs ${paper["EchoMAE-L"].viewAcc} % view accuracy.`,
    PHANTOM_NOTE,
  ].filter((sentence) => sentence).join(" ");
  return {
    id: "controlled",
    title: "Controlled comparison: same encoder, data and compute, different objective",
    columns: ["Model", "EF MAE (points) ↓", "View accuracy, 100 % labels (%) ↑"],
    groups: [
      {
        label: PAPER_GROUP,
        rows: Object.entries(paper).map(([model, p]) => [model, p.lvefMae.toFixed(2), p.viewAcc.toFixed(1)]),
      },
      { label: OURS_GROUP, rows },
    ],
    caption,
    missing: rows.length === 0 ? "No EF or view-classification results yet." : undefined,
  };
}
