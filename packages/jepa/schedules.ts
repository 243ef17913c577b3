/**
 * The per-step hyper-parameters of a run (learning rate, weight decay, EMA momentum), from its config, using the
 * reference's schedulers (implemented in `@echojepa/tensor`). As in V-JEPA, the schedulers advance *before* each
 * iteration, so iteration `i` (from 0) uses schedule step `i + 1`.
 *
 * @module
 */

import { cosineWeightDecay, linearDecayLr, linearMomentum, warmupCosineLr } from "@echojepa/tensor";
import type { PretrainConfig } from "./config.ts";

/** Hyper-parameters of one iteration. */
export interface StepHyperparameters {
  /** Learning rate. */
  lr: number;
  /** Weight decay of the decayed group. */
  weightDecay: number;
  /** EMA momentum of the target encoder. */
  momentum: number;
}

/** Steps the schedules span: `ipeScale · epochs · itersPerEpoch` (the reference's `T_max`). */
export function scheduleLength(c: PretrainConfig): number {
  return Math.floor(c.optim.ipeScale * c.optim.epochs * c.optim.itersPerEpoch);
}

/** The hyper-parameters of iteration `iteration` (0-based). */
export function hyperparametersAt(c: PretrainConfig, iteration: number): StepHyperparameters {
  const o = c.optim;
  const s = iteration + 1;
  const total = scheduleLength(c);
  const lr = o.lrSchedule === "anneal"
    ? linearDecayLr(s, { refLr: o.lr, finalLr: o.finalLr, totalSteps: total })
    : warmupCosineLr(s, {
      warmupSteps: Math.round(o.warmupEpochs * o.itersPerEpoch),
      startLr: o.startLr,
      refLr: o.lr,
      finalLr: o.lrSchedule === "warmup-constant" ? o.lr : o.finalLr,
      totalSteps: total,
    });
  const weightDecay = cosineWeightDecay(s, {
    refWd: o.weightDecay,
    finalWd: o.finalWeightDecay,
    totalSteps: total,
  });
  // The reference's momentum scheduler yields its first value before any increment: iteration i uses step i.
  const momentum = Math.min(
    1,
    linearMomentum(iteration, { start: o.ema[0], end: o.ema[1], totalSteps: total }),
  );
  return { lr, weightDecay, momentum };
}
