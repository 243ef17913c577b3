/**
 * Severity levels shared by every perturbation family.
 *
 * @module
 */

/** Severity of a perturbation preset. */
export type Level = "low" | "medium" | "high";

/** All levels, mildest first. */
export const LEVELS: readonly Level[] = ["low", "medium", "high"];

/** Presets of one family, one parameter set per level. */
export type Presets<P> = Readonly<Record<Level, Readonly<P>>>;

/** Raised-cosine step: 0 for u ≤ 0, 1 for u ≥ 1, smooth in between (soft edges of shadows and patches). */
export function raisedCosineStep(u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return 0.5 - 0.5 * Math.cos(Math.PI * u);
}
