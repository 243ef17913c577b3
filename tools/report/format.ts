/**
 * Number formatting for the report's tables: fixed decimals, "–" for anything missing or not finite (a NaN AUROC
 * when a class is absent reads as "–", not "NaN").
 *
 * @module
 */

import type { Repeated } from "../demo/results.ts";

/** The placeholder printed for a missing or non-finite value. */
export const MISSING = "–";

/** `value` with `digits` decimals, or {@link MISSING}. */
export function fixed(value: number | undefined | null, digits = 2): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : MISSING;
}

/** A repeated measurement as "mean±std"; the std is left out when there was a single run. */
export function meanStd(value: Repeated | undefined, digits = 1): string {
  if (!value || !Number.isFinite(value.mean)) return MISSING;
  const mean = value.mean.toFixed(digits);
  return value.runs.length > 1 && Number.isFinite(value.std) ? `${mean}±${value.std.toFixed(digits)}` : mean;
}

/** Seconds as "1 h 02 min", "3 min 05 s" or "12.3 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return MISSING;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
