/**
 * View classification with 1 %, 10 % and 100 % of the training labels (mean ± std over seeds), beside the paper's
 * label-efficiency table.
 *
 * @module
 */

import { type Backbone, BACKBONES, PAPER } from "../../demo/results.ts";
import { fixed, meanStd } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { OURS_GROUP, PAPER_GROUP, PHANTOM_NOTE, type Table } from "../table.ts";
import { winnerSentence } from "../winner.ts";
import { BACKBONE_ROW_LABELS } from "./labels.ts";

/** The label fractions the demo runs, in column order. */
export const FRACTIONS = ["1%", "10%", "100%"] as const;

/** "Chance is 7.7 % (13 views)." — the floor a view accuracy must be read against; empty when views are unknown. */
export function chanceSentence(results: RunResults): string {
  const views = results.data?.views.length ?? 0;
  return views > 0 ? `Chance is ${(100 / views).toFixed(1)} % (${views} views).` : "";
}

/** The label-fraction table (the demo records accuracies in %). */
export function fractionsTable(results: RunResults): Table {
  const rows: string[][] = [];
  const pick = (fraction: string, key: "mean" | "std"): Partial<Record<Backbone, number>> => {
    const values: Partial<Record<Backbone, number>> = {};
    for (const b of BACKBONES) {
      const r = results.viewClassification[b]?.[fraction];
      if (r) values[b] = r.accuracy[key];
    }
    return values;
  };
  const at = (fraction: string) => pick(fraction, "mean");
  const spreadAt = (fraction: string) => pick(fraction, "std");
  for (const backbone of BACKBONES) {
    const byFraction = results.viewClassification[backbone];
    if (!byFraction) continue;
    rows.push([
      BACKBONE_ROW_LABELS[backbone],
      ...FRACTIONS.map((f) => meanStd(byFraction[f]?.accuracy)),
    ]);
  }
  const oneClips = BACKBONES.map((b) => results.viewClassification[b]?.["1%"]?.trainClips).find((n) => n);
  const paper = PAPER.viewFractions;
  const caption = [
    winnerSentence("view accuracy with 1 % of the labels", at("1%"), "higher", (v) => `${fixed(v, 1)} %`, {
      values: spreadAt("1%"),
      name: "the spread over seeds",
    }),
    winnerSentence("view accuracy with 10 % of the labels", at("10%"), "higher", (v) => `${fixed(v, 1)} %`, {
      values: spreadAt("10%"),
      name: "the spread over seeds",
    }),
    chanceSentence(results),
    oneClips ? `1 % of the labels is ${oneClips} training clips here.` : "",
    `Paper at 1 %: EchoJEPA-L ${paper["EchoJEPA-L"]["1%"]} vs EchoMAE-L ${paper["EchoMAE-L"]["1%"]} %.`,
    PHANTOM_NOTE,
  ].filter((s) => s).join(" ");
  return {
    id: "fractions",
    title: "Label efficiency: view accuracy (%) by fraction of training labels",
    columns: ["Model", ...FRACTIONS.map((f) => `${f} labels`)],
    groups: [
      { label: PAPER_GROUP, rows: Object.entries(paper).map(([m, p]) => [m, p["1%"], p["10%"], p["100%"]]) },
      { label: OURS_GROUP, rows },
    ],
    caption,
    missing: rows.length === 0 ? "No view-classification results yet." : undefined,
  };
}
