/**
 * Which backbone won a metric, computed from the numbers (never assumed), and the sentence that says so.
 *
 * @module
 */

import { type Backbone, BACKBONES } from "../demo/results.ts";

/** How backbones are named in the report. */
export const BACKBONE_LABELS: Record<Backbone, string> = {
  jepa: "JEPA",
  "jepa-online": "JEPA online",
  mae: "MAE",
  random: "random init",
  "random-2": "random init 2",
  "random-3": "random init 3",
  pixels: "raw pixels",
};

/** How a backbone is named at the start of a sentence (so "MAE had the lowest EF MAE" cannot be misread). */
const SUBJECT_LABELS: Record<Backbone, string> = {
  jepa: "The JEPA backbone",
  mae: "The MAE backbone",
  random: "The random encoder",
  "jepa-online": "The JEPA online encoder",
  "random-2": "The second random encoder",
  "random-3": "The third random encoder",
  pixels: "Raw pixels",
};

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

/** A list in prose: "A", "A and B", "A, B and C". */
function prose(names: string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** How uncertain each backbone's value is, to tell a lead from noise. */
export interface Spread {
  /** Per backbone: a standard deviation over seeds, or the half-width of a confidence interval. */
  values: Partial<Record<Backbone, number>>;
  /** What the spread is, for the sentence: "the spread over seeds", "the 90 % bootstrap intervals". */
  name: string;
}

/**
 * "The JEPA backbone had the lowest EF MAE (4.10; MAE 5.30, random init 6.41)." — backbones whose printed values
 * are equal are reported as tied (the reader sees printed values, so a lead in the fourth decimal is no lead); a
 * sentence says so when only one or no backbone has been measured. `format` prints a value. With a `spread`, a lead
 * smaller than the larger spread of the leader and the runner-up is called what it is: within the noise.
 */
export function winnerSentence(
  metric: string,
  values: Partial<Record<Backbone, number>>,
  better: Better,
  format: (value: number) => string,
  spread?: Spread,
): string {
  const ranked = rankBackbones(values, better);
  if (ranked.length === 0) return `${metric}: not measured yet.`;
  const best = format(ranked[0].value);
  if (ranked.length === 1) {
    return `${metric}: only ${BACKBONE_LABELS[ranked[0].backbone]} measured so far (${best}).`;
  }
  const tied = ranked.filter((r) => format(r.value) === best);
  const rest = ranked.slice(tied.length);
  const word = better === "lower" ? "lowest" : "highest";
  const others = rest.map((r) => `${BACKBONE_LABELS[r.backbone]} ${format(r.value)}`).join(", ");
  if (tied.length === 1) {
    const sentence = `${SUBJECT_LABELS[ranked[0].backbone]} had the ${word} ${metric} (${best}; ${others})`;
    const [a, b] = ranked;
    const noise = Math.max(spread?.values[a.backbone] ?? 0, spread?.values[b.backbone] ?? 0);
    if (spread && Math.abs(a.value - b.value) < noise) {
      return `${sentence}, but its lead over ${BACKBONE_LABELS[b.backbone]} is within ${spread.name}.`;
    }
    return `${sentence}.`;
  }
  const names = prose(tied.map((r) => BACKBONE_LABELS[r.backbone]));
  if (rest.length === 0) return `${names} tied on ${metric} (${best}).`;
  return `${names} tied for the ${word} ${metric} (${best}; ${others}).`;
}
