/**
 * The fair protocol's view classification: every backbone and control under the attentive, linear and kNN probes
 * on standardised features, at every label budget (mean ± std over label draws).
 *
 * @module
 */

import { FROZEN_PROBE_KINDS } from "@echojepa/probe";
import { BACKBONES } from "../../demo/results.ts";
import { meanStd } from "../format.ts";
import type { RunResults } from "../run_data.ts";
import { OURS_GROUP, PHANTOM_NOTE, type Table } from "../table.ts";
import { chanceSentence } from "./fractions.ts";
import { BACKBONE_ROW_LABELS } from "./labels.ts";

/** The label budgets in column order. */
export const BUDGETS = ["1-shot", "5-shot", "1%", "10%", "100%"] as const;

/** The protocol table. */
export function protocolTable(results: RunResults): Table {
  const rows: string[][] = [];
  let draws = 0;
  const allLabelsOnly = new Set<string>(); // probes the run gave all labels but not few
  for (const b of BACKBONES) {
    const p = results.probes?.[b];
    if (!p) continue;
    for (const kind of FROZEN_PROBE_KINDS) {
      if (p["100%"]?.[kind] && !p["1-shot"]?.[kind]) allLabelsOnly.add(kind);
      rows.push([
        BACKBONE_ROW_LABELS[b],
        kind,
        ...BUDGETS.map((budget) => meanStd(p[budget]?.[kind]?.accuracy)),
      ]);
      draws = Math.max(draws, p["1-shot"]?.[kind]?.accuracy.runs.length ?? 0);
    }
  }
  const caption = [
    "Every feature channel is standardised with the training split's statistics before each probe; the attentive " +
    "probe picks its learning rate on validation; the linear probe reads mean-pooled tokens; kNN has no trained " +
    "weights.",
    draws
      ? `Few-label budgets are means ± std over ${draws} label draws (the same draws for every backbone).`
      : "",
    allLabelsOnly.size
      ? `The ${
        [...allLabelsOnly].join(" and ")
      } probe ran with all labels only: the preset leaves it out of the ` +
        "few-label budgets (the demo's tiny encoders leave it at chance there; see BENCHMARKS.md)."
      : "",
    chanceSentence(results),
    PHANTOM_NOTE,
  ].filter((s) => s).join(" ");
  return {
    id: "protocol",
    title: "View accuracy (%) under the fair protocol: every backbone and control, three probes",
    columns: ["Backbone", "Probe", ...BUDGETS],
    groups: [{ label: OURS_GROUP, rows }],
    caption,
    missing: rows.length === 0 ? "No fair-protocol results yet." : undefined,
  };
}
