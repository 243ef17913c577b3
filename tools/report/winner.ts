/**
 * Which backbone won a metric, computed from the numbers (never assumed), and the sentence that says so.
 *
 * @module
 */

import { type Backbone, BACKBONES } from "../demo/results.ts";

/** How backbones are named in the report. */
export const BACKBONE_LABELS: Record<Backbone, string> = { jepa: "JEPA", mae: "MAE", random: "random init" };

/** Whether a smaller or a larger value of a metric is better. */
export type Better = "lower" | "higher";

/** One backbone's value of a metric. */
export interface Ranked {
  backbone: Backbone;
  value: number;
}

/** The backbones with a finite value, best first (ties keep report order). */
export function rankBackbones(values: Partial<Record<Backbone, number>>, better: Better): Ranked[] {
  const ranked: Ranked[] = [];
  for (const backbone of BACKBONES) {
    const value = values[backbone];
    if (typeof value === "number" && Number.isFinite(value)) ranked.push({ backbone, value });
  }
  return ranked.sort((a, b) => (better === "lower" ? a.value - b.value : b.value - a.value));
}

/**
 * "On the phantom, JEPA had the lowest EF MAE (4.10; MAE 5.30, random init 6.41)." — or a sentence saying that
 * only one or no backbone has been measured. `format` prints a value.
 */
export function winnerSentence(
  metric: string,
  values: Partial<Record<Backbone, number>>,
  better: Better,
  format: (value: number) => string,
): string {
  const ranked = rankBackbones(values, better);
  if (ranked.length === 0) return `${metric}: not measured yet.`;
  const [first, ...rest] = ranked;
  const name = BACKBONE_LABELS[first.backbone];
  if (rest.length === 0) return `${metric}: only ${name} measured so far (${format(first.value)}).`;
  const others = rest.map((r) => `${BACKBONE_LABELS[r.backbone]} ${format(r.value)}`).join(", ");
  const tie = rest[0].value === first.value ? " (tied)" : "";
  const word = better === "lower" ? "lowest" : "highest";
  return `On the phantom, ${name} had the ${word} ${metric}${tie} (${format(first.value)}; ${others}).`;
}
