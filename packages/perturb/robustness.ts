/**
 * The robustness protocol: score the clean set and every perturbed copy with the same frozen model, and summarise
 * the change as the paper's "average degradation" = (mean metric over the perturbed conditions − clean metric) /
 * clean metric × 100.
 *
 * @module
 */

import type { Clip } from "@echojepa/core";
import { perturbClip, type PerturbOptions, REFERENCE_CONDITION_IDS } from "./conditions.ts";

/**
 * The paper's "Avg. Deg." in percent: (mean of `conditionMetrics` − clean) / clean × 100. For an error metric
 * (MAE) a positive value means worse; for accuracy a negative one does. Throws when clean is 0.
 */
export function averageDegradation(cleanMetric: number, conditionMetrics: readonly number[]): number {
  if (conditionMetrics.length === 0) throw new RangeError("averageDegradation: no condition metrics");
  if (cleanMetric === 0 || !Number.isFinite(cleanMetric)) {
    throw new RangeError(`averageDegradation: clean metric must be finite and non-zero, got ${cleanMetric}`);
  }
  const mean = conditionMetrics.reduce((s, v) => s + v, 0) / conditionMetrics.length;
  return ((mean - cleanMetric) / cleanMetric) * 100;
}

/** Mean absolute error (the paper's LVEF metric). */
export function meanAbsoluteError(predictions: readonly number[], targets: readonly number[]): number {
  checkPairs(predictions, targets, "meanAbsoluteError");
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += Math.abs(predictions[i] - targets[i]);
  return sum / targets.length;
}

/** Fraction of predictions equal to their targets (class indices). */
export function accuracy(predictions: readonly number[], targets: readonly number[]): number {
  checkPairs(predictions, targets, "accuracy");
  let hits = 0;
  for (let i = 0; i < targets.length; i++) if (predictions[i] === targets[i]) hits++;
  return hits / targets.length;
}

function checkPairs(predictions: readonly number[], targets: readonly number[], op: string): void {
  if (predictions.length !== targets.length || targets.length === 0) {
    throw new RangeError(`${op}: ${predictions.length} predictions for ${targets.length} targets`);
  }
}

/** One evaluation item: a clip id, its target, and how to load the clean clip. */
export interface RobustnessItem {
  /** Stable clip id (seeds the perturbations). */
  id: string;
  /** Ground truth (e.g. LVEF %, or a class index). */
  target: number;
  /** Loads the clean clip (called once per condition, so large sets need not stay in memory). */
  load: () => Clip | Promise<Clip>;
  /** Sector geometry of this clip, when known. */
  sector?: PerturbOptions["sector"];
}

/** Options of {@link evaluateRobustness}. */
export interface RobustnessOptions {
  /** Maps a batch of clips to one prediction each (a frozen encoder + probe, for instance). */
  scorer: (clips: Clip[], ids: string[]) => number[] | Promise<number[]>;
  /** Metric of predictions against targets. Default {@link meanAbsoluteError}. */
  metric?: (predictions: readonly number[], targets: readonly number[]) => number;
  /** Conditions to evaluate. Default the six reference conditions. */
  conditions?: readonly string[];
  /** Experiment seed for the perturbations. Default 0. */
  seed?: number;
  /** Clips per scorer call. Default 8. */
  batchSize?: number;
  /** Called after each batch with (condition or "clean", items done, items total). */
  onProgress?: (condition: string, done: number, total: number) => void;
  /** Display options passed to the perturbations (maxValue, dynamicRangeDb). */
  display?: Pick<PerturbOptions, "maxValue" | "dynamicRangeDb">;
}

/** Result of {@link evaluateRobustness}. */
export interface RobustnessReport {
  /** Metric on the unperturbed clips. */
  clean: number;
  /** Metric per condition id, in the order evaluated. */
  conditions: Record<string, number>;
  /** {@link averageDegradation} over the evaluated conditions, percent. */
  averageDegradation: number;
  /** Predictions per condition ("clean" included), aligned with the items. */
  predictions: Record<string, number[]>;
}

/**
 * Runs the protocol: predictions on the clean clips and on each perturbed copy, the metric for each, and the
 * average degradation over the conditions. Perturbed clips depend only on (item id, condition, seed).
 */
export async function evaluateRobustness(
  items: readonly RobustnessItem[],
  options: RobustnessOptions,
): Promise<RobustnessReport> {
  if (items.length === 0) throw new RangeError("evaluateRobustness: no items");
  const metric = options.metric ?? meanAbsoluteError;
  const conditions = options.conditions ?? REFERENCE_CONDITION_IDS;
  const batchSize = options.batchSize ?? 8;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`evaluateRobustness: batchSize must be a positive integer, got ${batchSize}`);
  }
  const targets = items.map((item) => item.target);
  const predictions: Record<string, number[]> = {};
  for (const condition of ["clean", ...conditions]) {
    const out: number[] = [];
    for (let start = 0; start < items.length; start += batchSize) {
      const batch = items.slice(start, start + batchSize);
      const clips: Clip[] = [];
      for (const item of batch) {
        const clean = await item.load();
        clips.push(
          condition === "clean" ? clean : perturbClip(clean, condition, {
            ...options.display,
            clipId: item.id,
            seed: options.seed,
            sector: item.sector,
          }),
        );
      }
      const scores = await options.scorer(clips, batch.map((item) => item.id));
      if (scores.length !== batch.length) {
        throw new RangeError(
          `evaluateRobustness: scorer returned ${scores.length} predictions for ${batch.length} clips`,
        );
      }
      out.push(...scores);
      options.onProgress?.(condition, out.length, items.length);
    }
    predictions[condition] = out;
  }
  const clean = metric(predictions.clean, targets);
  const perCondition: Record<string, number> = {};
  for (const condition of conditions) perCondition[condition] = metric(predictions[condition], targets);
  return {
    clean,
    conditions: perCondition,
    averageDegradation: averageDegradation(clean, Object.values(perCondition)),
    predictions,
  };
}
