/**
 * Robustness of the clean-trained EF probe under the six reference perturbations (depth attenuation and Gaussian
 * shadow, three levels each) with the paper's average degradation, beside the paper's table.
 *
 * @module
 */

import { type Backbone, BACKBONES, PAPER } from "../../demo/results.ts";
import { fixed, MISSING } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { OURS_GROUP, PAPER_GROUP, PHANTOM_NOTE, type Table } from "../table.ts";
import { BACKBONE_LABELS, winnerSentence } from "../winner.ts";
import { isNearlyConstant } from "../charts/ef_scatter.ts";
import { BACKBONE_ROW_LABELS } from "./labels.ts";

/** The paper's column order. */
const PAPER_CONDITIONS = ["DA low", "DA med", "DA high", "GS low", "GS med", "GS high"];

/** "depth-attenuation-medium" → "DA med"; other ids are kept. */
export function shortConditionName(id: string): string {
  return id
    .replace(/^depth-attenuation-/, "DA ")
    .replace(/^gaussian-shadow-/, "GS ")
    .replace(/ medium$/, " med");
}

/** Says which backbones' EF probes predict nearly one value: their degradation measures nothing. */
function constantNote(results: RunResults): string {
  const flat = BACKBONES.filter((b) => {
    const ef = results.ef[b];
    return ef && isNearlyConstant(ef.predicted, ef.target);
  });
  if (flat.length === 0) return "";
  const names = flat.map((b) => BACKBONE_LABELS[b]).join(", ");
  return `The EF probes of ${names} predict nearly the same EF for every clip, so a perturbation has little to ` +
    `change there: their degradation says nothing about robustness.`;
}

/** The robustness table (EF MAE per condition, average degradation in %). */
export function robustnessTable(results: RunResults): Table {
  const present = BACKBONES.filter((b) => results.robustness[b]);
  const names = present.length > 0
    ? results.robustness[present[0]]!.conditions.map((c) => shortConditionName(c.name))
    : PAPER_CONDITIONS;
  const rows: string[][] = [];
  const degradation: Partial<Record<Backbone, number>> = {};
  const clean: Partial<Record<Backbone, number>> = {};
  for (const backbone of present) {
    const r = results.robustness[backbone]!;
    degradation[backbone] = r.averageDegradation;
    clean[backbone] = r.clean;
    const byName = new Map(r.conditions.map((c) => [shortConditionName(c.name), c.mae]));
    rows.push([
      BACKBONE_ROW_LABELS[backbone],
      fixed(r.clean),
      ...names.map((n) => fixed(byName.get(n))),
      fixed(r.averageDegradation, 1),
    ]);
  }
  const sameColumns = names.join() === PAPER_CONDITIONS.join();
  const paper = Object.entries(PAPER.robustness);
  const leastPaper = [...paper].sort((a, b) => a[1].deg - b[1].deg)[0];
  const caption = [
    winnerSentence("average degradation", degradation, "lower", (v) => `${fixed(v, 1)} %`),
    winnerSentence("clean EF MAE", clean, "lower", (v) => fixed(v)),
    `Paper: ${leastPaper[0]} degraded least (${leastPaper[1].deg} %) from a clean MAE of ${
      leastPaper[1].clean
    }; ` +
    `degradation is relative, so a weak model can look robust.`,
    constantNote(results),
    "Avg. deg. = (mean condition MAE − clean MAE) / clean MAE × 100.",
    PHANTOM_NOTE,
  ].join(" ");
  return {
    id: "robustness",
    title: "Robustness: EF MAE under acoustic perturbations",
    columns: ["Model", "Clean", ...names, "Avg. deg. (%) ↓"],
    groups: [
      {
        label: PAPER_GROUP,
        rows: paper.map(([m, p]) => [
          m,
          p.clean.toFixed(2),
          ...(sameColumns ? p.conditions.map((v) => v.toFixed(2)) : names.map(() => MISSING)),
          p.deg.toFixed(1),
        ]),
      },
      { label: OURS_GROUP, rows },
    ],
    caption,
    missing: rows.length === 0 ? "No robustness results yet." : undefined,
  };
}
