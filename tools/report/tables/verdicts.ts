/**
 * The verdicts on the paper's claims: reproduced / not reproduced / inconclusive, each with the statistic behind
 * it (paired bootstraps over the held-out phantom clips, computed by the demo).
 *
 * @module
 */

import { type ClaimId, CLAIMS } from "../../demo/verdicts.ts";
import type { RunResults } from "../run_data.ts";
import { PHANTOM_NOTE, type Table } from "../table.ts";

/** The claims table. */
export function verdictsTable(results: RunResults): Table {
  const v = results.verdicts;
  const ids = Object.keys(CLAIMS) as ClaimId[];
  const rows = v ? ids.map((id) => [`(${id}) ${v[id].claim}`, v[id].verdict, v[id].statistic]) : [];
  const counts = v
    ? (["reproduced", "not reproduced", "inconclusive"] as const).map((k) =>
      `${ids.filter((id) => v[id].verdict === k).length} ${k}`
    ).join(", ")
    : "";
  const caption = [
    v ? `On this run: ${counts}.` : "",
    "A comparison counts only when its paired-bootstrap 95 % interval (resampling test clips) excludes zero; a " +
    "setting holds when at least two thirds of its probes agree; a claim is reproduced when every setting holds, " +
    "not reproduced when any goes significantly the other way, and inconclusive otherwise.",
    PHANTOM_NOTE,
  ].filter((s) => s).join(" ");
  return {
    id: "verdicts",
    title: "The paper's claims on this run",
    columns: ["Claim", "Verdict", "Statistic"],
    groups: [{ label: "Verdicts", rows }],
    caption,
    missing: rows.length === 0
      ? "No verdicts yet (they are computed once every backbone is probed)."
      : undefined,
  };
}
