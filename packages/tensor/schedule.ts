/**
 * Learning-rate, weight-decay and EMA-momentum schedules as plain functions of the step.
 *
 * They reproduce V-JEPA's schedulers (`src/utils/schedulers.py`: `WarmupCosineSchedule`, `LinearDecaySchedule`,
 * `CosineWDSchedule`, and the linear EMA-momentum schedule of `app/vjepa/train.py`). V-JEPA advances its
 * schedulers *before* each iteration, so iteration `i` (from 0) uses `step = i + 1`; pass the same to reproduce its
 * numbers exactly. Within `[0, totalSteps]` the values are V-JEPA's; past the end they hold the final value
 * (V-JEPA's cosine would turn back up and its linear decay overshoot, which its loops never reach).
 */

/** `step / total` clamped to [0, 1]. */
function progressOf(step: number, total: number): number {
  return Math.min(1, Math.max(0, step / Math.max(1, total)));
}

/** Parameters of {@link warmupCosineLr}. */
export interface WarmupCosineOptions {
  /** Steps of linear warmup from `startLr` to `refLr`. */
  warmupSteps: number;
  /** Learning rate at step 0. */
  startLr: number;
  /** Learning rate at the end of warmup. */
  refLr: number;
  /** Learning rate at `totalSteps` (set equal to `refLr` for warmup → constant, as V-JEPA 2 and EchoJEPA do). */
  finalLr: number;
  /** Total steps (V-JEPA's `T_max = ipe_scale · epochs · ipe`), warmup included. */
  totalSteps: number;
}

/**
 * Linear warmup, then cosine from `refLr` to `finalLr`:
 * `s < warmup`: `startLr + (s / warmup)(refLr − startLr)`;
 * otherwise `max(finalLr, finalLr + (refLr − finalLr)·½(1 + cos(π (s − warmup) / (totalSteps − warmup))))`.
 */
export function warmupCosineLr(step: number, o: WarmupCosineOptions): number {
  if (step < o.warmupSteps) {
    return o.startLr + (step / Math.max(1, o.warmupSteps)) * (o.refLr - o.startLr);
  }
  const progress = progressOf(step - o.warmupSteps, o.totalSteps - o.warmupSteps);
  return Math.max(o.finalLr, o.finalLr + (o.refLr - o.finalLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Parameters of {@link linearDecayLr}. */
export interface LinearDecayOptions {
  /** Learning rate at step 0. */
  refLr: number;
  /** Learning rate at `totalSteps`. */
  finalLr: number;
  /** Steps of the decay. */
  totalSteps: number;
}

/** Linear decay without warmup (V-JEPA 2's cooldown/anneal schedule): `refLr + (s / T)(finalLr − refLr)`. */
export function linearDecayLr(step: number, o: LinearDecayOptions): number {
  return o.refLr + progressOf(step, o.totalSteps) * (o.finalLr - o.refLr);
}

/** Parameters of {@link cosineWeightDecay}. */
export interface CosineWeightDecayOptions {
  /** Weight decay at step 0. */
  refWd: number;
  /** Weight decay at `totalSteps`. */
  finalWd: number;
  /** Steps of the schedule. */
  totalSteps: number;
}

/**
 * Cosine weight-decay schedule: `finalWd + (refWd − finalWd)·½(1 + cos(π s / T))`, clamped so it never passes
 * `finalWd` (constant when `refWd = finalWd`, as V-JEPA 2 and EchoJEPA's 0.04).
 */
export function cosineWeightDecay(step: number, o: CosineWeightDecayOptions): number {
  const progress = progressOf(step, o.totalSteps);
  const wd = o.finalWd + (o.refWd - o.finalWd) * 0.5 * (1 + Math.cos(Math.PI * progress));
  return o.finalWd <= o.refWd ? Math.max(o.finalWd, wd) : Math.min(o.finalWd, wd);
}

/** Parameters of {@link linearMomentum}. */
export interface LinearMomentumOptions {
  /** Momentum at step 0 (V-JEPA 2 / EchoJEPA: 0.99925). */
  start: number;
  /** Momentum at `totalSteps` (V-JEPA 2 / EchoJEPA: 0.99925, i.e. constant; V-JEPA 1: 1.0). */
  end: number;
  /** Steps of the schedule (`ipe · epochs · ipe_scale`). */
  totalSteps: number;
}

/** The EMA momentum of the target encoder at `step`: `start + step·(end − start)/totalSteps`. */
export function linearMomentum(step: number, o: LinearMomentumOptions): number {
  return o.start + progressOf(step, o.totalSteps) * (o.end - o.start);
}
