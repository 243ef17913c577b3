/**
 * Zero-shot paediatric transfer: the EF probe trained on adult phantoms, tested on paediatric phantoms never seen
 * in training, beside the paper's zero-shot paediatric MAE.
 *
 * @module
 */

import { type Backbone, BACKBONES, PAPER } from "../../demo/results.ts";
import { fixed, MISSING } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { OURS_GROUP, PAPER_GROUP, PHANTOM_NOTE, type Table } from "../table.ts";
import { winnerSentence } from "../winner.ts";
import { BACKBONE_ROW_LABELS } from "./labels.ts";

/** The paediatric zero-shot table. */
export function pediatricTable(results: RunResults): Table {
  const rows: string[][] = [];
  const pediatric: Partial<Record<Backbone, number>> = {};
  for (const backbone of BACKBONES) {
    const p = results.pediatric[backbone];
    if (!p) continue;
    pediatric[backbone] = p.pediatricMae;
    rows.push([
      BACKBONE_ROW_LABELS[backbone],
      fixed(p.adultMae),
      fixed(p.pediatricMae),
      fixed(p.pediatricR2),
      fixed(p.pediatricMae - p.adultMae),
    ]);
  }
  const paper = Object.entries(PAPER.pediatricZeroShot);
  const caption = [
    winnerSentence("zero-shot paediatric EF MAE", pediatric, "lower", (v) => fixed(v)),
    `Paper zero-shot paediatric MAE: ${paper.map(([m, v]) => `${m} ${v}`).join(", ")}.`,
    PHANTOM_NOTE,
  ].join(" ");
  return {
    id: "pediatric",
    title: "Zero-shot paediatric transfer of the adult EF probe",
    columns: ["Model", "Adult EF MAE", "Paediatric EF MAE ↓", "Paediatric R² ↑", "Gap (paed. − adult)"],
    groups: [
      { label: PAPER_GROUP, rows: paper.map(([m, v]) => [m, MISSING, v.toFixed(2), MISSING, MISSING]) },
      { label: OURS_GROUP, rows },
    ],
    caption,
    missing: rows.length === 0 ? "No paediatric results yet." : undefined,
  };
}
