/**
 * The fair probing protocol for comparing frozen backbones: every feature channel standardised with the training
 * split's statistics, then three probes side by side on the same inputs — the attentive probe (a small
 * learning-rate sweep, best on validation), a linear probe on pooled tokens, and kNN (no trained weights) — so a
 * ranking that depends on the probe shows up as disagreement between them. The linear probe and kNN read the tokens
 * averaged over time with the spatial grid kept ({@link timePoolTokens}); with one time slot per token that is the
 * plain mean over tokens.
 */

import { deriveSeed } from "@echojepa/core";
import { withInitSeed } from "@echojepa/tensor";
import { AttentiveProbe } from "./attentive_probe.ts";
import { type FeatureSet, tokenBatch } from "./features.ts";
import type { TargetScaler } from "./fractions.ts";
import { knnClassify, type KnnOptions } from "./knn.ts";
import { LinearProbe } from "./linear_probe.ts";
import {
  type ChannelStats,
  fitChannelStats,
  standardiseFeatures,
  timePoolTokens,
  timeStatsPoolTokens,
} from "./standardize.ts";
import { predictWith, type ProbeTask, trainProbes } from "./train.ts";

/** The probes of the protocol. */
export const FROZEN_PROBE_KINDS = ["attentive", "linear", "knn"] as const;
/** One probe of the protocol. */
export type FrozenProbeKind = typeof FROZEN_PROBE_KINDS[number];

/** A probe's inputs for one set of samples, standardised: tokens (attentive) and pooled (linear, kNN). */
export interface ProbeInputs {
  /** `[count, tokens, dim]`, every channel standardised. */
  tokens: FeatureSet;
  /**
   * `[count, 1, places · dim]`: the standardised tokens averaged over time, spatial grid kept; with `"meanStd"`
   * pooling `[count, 1, 2 · places · dim]`, each place's spread over time beside its mean.
   */
  pooled: FeatureSet;
}

/**
 * How the linear probe's and kNN's input pools a clip's tokens over time: `"mean"` ({@link timePoolTokens}) or
 * `"meanStd"` (statistics pooling, {@link timeStatsPoolTokens}: for targets that are motion amplitudes).
 */
export type TimePooling = "mean" | "meanStd";

/**
 * Fits per-channel statistics on every token of `train` and standardises each named set with them (the training
 * split's statistics only; validation and test never inform them). `timeSlots`: temporal positions of the token
 * grid, for the pooled input (default: every token is one, i.e. a plain mean over tokens); `pooling` as in
 * {@link TimePooling}.
 */
export function standardisedInputs<K extends string>(
  train: FeatureSet,
  sets: Record<K, FeatureSet>,
  timeSlots?: number,
  pooling: TimePooling = "mean",
): { stats: ChannelStats; inputs: Record<K, ProbeInputs> } {
  const stats = fitChannelStats(train, Array.from({ length: train.count }, (_, i) => i));
  const inputs = {} as Record<K, ProbeInputs>;
  for (const k of Object.keys(sets) as K[]) inputs[k] = probeInputs(sets[k], stats, timeSlots, pooling);
  return { stats, inputs };
}

/** One set's probe inputs under fitted statistics (`timeSlots` and `pooling` as in {@link standardisedInputs}). */
export function probeInputs(
  set: FeatureSet,
  stats: ChannelStats,
  timeSlots: number = set.tokens,
  pooling: TimePooling = "mean",
): ProbeInputs {
  const tokens = standardiseFeatures(set, stats);
  const pooled = pooling === "meanStd"
    ? timeStatsPoolTokens(tokens, timeSlots)
    : timePoolTokens(tokens, timeSlots);
  return { tokens, pooled };
}

/** A trained probe's schedule: epochs, least steps, batch and the grid of learning rates × weight decays. */
export interface ProbeSchedule {
  epochs: number;
  minSteps: number;
  batchSize: number;
  lrs: number[];
  weightDecays: number[];
}

/** Options of {@link runFrozenProbes}. */
export interface FrozenProbeOptions {
  /** Classification or regression (kNN is classification only and is skipped for regression). */
  task: ProbeTask;
  /** Standardised inputs of the three splits. */
  train: ProbeInputs;
  val: ProbeInputs;
  test: ProbeInputs;
  /** Targets of every row of each split. */
  labels: { train: number[]; val: number[]; test: number[] };
  /** Training rows the probes see (a few-label draw); default all. */
  rows?: number[];
  /** Which probes to run (default all three). */
  kinds?: readonly FrozenProbeKind[];
  /** The attentive probe: architecture and its (small) learning-rate sweep. */
  attentive: ProbeSchedule & { depth: number; numHeads: number };
  /** The linear probe's schedule. */
  linear: ProbeSchedule;
  /** kNN settings. */
  knn?: KnnOptions;
  /** Seed of the probes' shuffling. */
  seed: number;
  /** Further sets each trained probe predicts once it is selected (in {@link FrozenProbeRun.predictions}). */
  extra?: Record<string, ProbeInputs>;
  /** Sees each selected trained probe (and the regression target scaler) before it is released. */
  onTrained?: (
    kind: "attentive" | "linear",
    probe: AttentiveProbe | LinearProbe,
    scaler: TargetScaler | null,
  ) => Promise<void>;
}

/** What one probe predicted on the test split. */
export interface FrozenProbeRun {
  /** Class ids, or values in the target's units. */
  testPredictions: number[];
  /**
   * The chosen grid point (trained probes) and its validation score (accuracy, or MAE in the target's units),
   * else null.
   */
  chosen: { lr: number; weightDecay: number; epoch: number; valScore: number } | null;
  /** Predictions on each of the options' `extra` sets (trained probes), in the same units. */
  predictions?: Record<string, number[]>;
}

/** Runs the protocol's probes on standardised inputs; returns each probe's test predictions. */
export async function runFrozenProbes(
  o: FrozenProbeOptions,
): Promise<Partial<Record<FrozenProbeKind, FrozenProbeRun>>> {
  const rows = o.rows ?? o.labels.train.map((_, i) => i);
  if (rows.length === 0) throw new RangeError("runFrozenProbes: no training rows");
  const kinds = o.kinds ?? FROZEN_PROBE_KINDS;
  const labels = { train: rows.map((i) => o.labels.train[i]), val: o.labels.val, test: o.labels.test };
  const regression = o.task.type === "regression";
  const outputs = o.task.type === "classification" ? o.task.numClasses : 1;
  const out: Partial<Record<FrozenProbeKind, FrozenProbeRun>> = {};
  const trained = async (kind: "attentive" | "linear") => {
    const input = (s: ProbeInputs) => (kind === "attentive" ? s.tokens : s.pooled);
    const sets = { train: input(o.train), val: input(o.val), test: input(o.test) };
    const schedule = kind === "attentive" ? o.attentive : o.linear;
    const dim = sets.train.dim;
    const head = regression ? "regressor" : "classifier";
    const result = await trainProbes<AttentiveProbe | LinearProbe>({
      task: o.task,
      // Each head's initialisation is a function of the probe's seed, not of how many layers were built before it,
      // so two backbones' probes (and a curve point's) start from the same weights.
      makeProbe: (h) =>
        withInitSeed(deriveSeed(o.seed, kind, h), () =>
          kind === "attentive"
            ? new AttentiveProbe({
              dim,
              outputs,
              kind: head,
              depth: o.attentive.depth,
              numHeads: o.attentive.numHeads,
            })
            : new LinearProbe({ dim, outputs, kind: head })),
      apply: (probe, b) => probe.forward(b.x, b.mask),
      makeBatch: (split, idx) => ({
        x: tokenBatch(sets[split], split === "train" ? idx.map((i) => rows[i]) : idx),
        mask: null,
      }),
      labels,
      epochs: schedule.epochs,
      minSteps: schedule.minSteps,
      batchSize: schedule.batchSize,
      lrs: schedule.lrs,
      weightDecays: schedule.weightDecays,
      seed: o.seed,
    });
    const predictions: Record<string, number[]> = {};
    for (const [name, set] of Object.entries(o.extra ?? {})) {
      predictions[name] = await predictWith(result.probe, {
        task: o.task,
        apply: (probe, b) => probe.forward(b.x, b.mask),
        makeBatch: (idx) => ({ x: tokenBatch(input(set), idx), mask: null }),
        n: input(set).count,
        batchSize: schedule.batchSize,
        scaler: result.scaler,
      });
    }
    await o.onTrained?.(kind, result.probe, result.scaler);
    result.probe.dispose();
    const { lr, weightDecay, epoch, valScore } = result.best;
    out[kind] = {
      testPredictions: result.testPredictions,
      chosen: { lr, weightDecay, epoch, valScore },
      ...(o.extra ? { predictions } : {}),
    };
  };
  if (kinds.includes("attentive")) await trained("attentive");
  if (kinds.includes("linear")) await trained("linear");
  if (kinds.includes("knn") && o.task.type === "classification") {
    const train = o.train.pooled;
    const stride = train.dim;
    const picked = new Float32Array(rows.length * stride);
    rows.forEach((r, j) => picked.set(train.data.subarray(r * stride, (r + 1) * stride), j * stride));
    const predictions = knnClassify(
      picked,
      labels.train,
      o.test.pooled.data,
      stride,
      o.task.numClasses,
      o.knn,
    );
    out.knn = { testPredictions: predictions, chosen: null };
  }
  return out;
}
