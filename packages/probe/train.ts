/**
 * The probe training protocol of EchoJEPA (reference §7.6): several probe heads trained in parallel on the same
 * frozen features over a grid of learning rates × weight decays, each with its own AdamW (one parameter group, weight
 * decay on every probe parameter), cosine decay to 0 without warmup; cross-entropy for classes, smooth-L1 (β = 1) on
 * z-scored targets for regression with μ, σ fitted on the training split only. After each epoch every head is
 * scored on the validation split; the best (head, epoch) is kept and reported on the test split.
 */

import {
  AdamW,
  add,
  assign,
  backward,
  clone,
  crossEntropy,
  keep,
  type Module,
  noGrad,
  reshape,
  slice,
  smoothL1Loss,
  type Tensor,
  tensor,
  tidy,
  warmupCosineLr,
} from "@echojepa/tensor";
import { Random } from "@echojepa/core";
import { fitScaler, type TargetScaler } from "./fractions.ts";
import {
  argmaxRows,
  type ClassificationMetrics,
  classificationMetrics,
  type RegressionMetrics,
  regressionMetrics,
} from "./metrics.ts";

/** What a probe predicts. */
export type ProbeTask = { type: "classification"; numClasses: number } | { type: "regression" };

/** A data split. */
export type Split = "train" | "val" | "test";

/** One batch of probe inputs, built by the caller from its cached features. */
export interface ProbeBatch {
  /** Tokens `[B, N, D]` (or whatever the probe's `apply` expects). */
  x: Tensor;
  /** Key-padding mask `[B, N]` or null. */
  mask: Tensor | null;
  /** Multi-view presence `[B][V]`, when the probe is multi-view. */
  present?: boolean[][];
}

/** A probe: a module whose parameters are trained; `apply` maps a batch to `[B, outputs]`. */
export type ProbeModule = Module;

/** Options of {@link trainProbes}. */
export interface TrainProbesOptions<P extends ProbeModule> {
  /** Classification or regression. */
  task: ProbeTask;
  /** Builds a fresh probe for head `i` of the grid. */
  makeProbe: (head: number) => P;
  /** Runs a probe on a batch, giving `[B, outputs]`. */
  apply: (probe: P, batch: ProbeBatch, training: boolean) => Tensor;
  /** Builds a batch of the given split from sample indices (upload cached features, masks, …). */
  makeBatch: (split: Split, indices: number[], training: boolean, rng: Random) => ProbeBatch;
  /** Targets of each split (class ids, or values in original units). */
  labels: Record<Split, ArrayLike<number>>;
  /** Learning rates of the grid (default {1e-4, 5e-5}). */
  lrs?: number[];
  /** Weight decays of the grid (default {0.01, 0.1, 0.4}). */
  weightDecays?: number[];
  /** Epochs (default 20): validation points at which the best head is chosen. */
  epochs?: number;
  /**
   * Least optimisation steps per head (default 0). With few labels an epoch is a step or two, so a small training
   * subset (1 % of labels) would otherwise train for a handful of steps; each epoch then makes as many passes over
   * the training split as needed to reach this budget.
   */
  minSteps?: number;
  /** Batch size (default 8). */
  batchSize?: number;
  /** Seed of shuffling and batch randomness. */
  seed?: number;
  /** Called after each epoch with the validation score of every head. */
  onEpoch?: (epoch: number, scores: number[], trainLoss: number) => void;
}

/** Scores of one split. */
export type SplitMetrics = ClassificationMetrics | RegressionMetrics;

/** What {@link trainProbes} returns. */
export interface ProbeResult<P extends ProbeModule> {
  /** The selected head, with its best weights loaded. */
  probe: P;
  /** Grid point and epoch of the selected head. */
  best: { head: number; lr: number; weightDecay: number; epoch: number; valScore: number };
  /** Validation metrics of the selected head at its best epoch. */
  val: SplitMetrics;
  /** Test metrics of the selected head. */
  test: SplitMetrics;
  /** Test predictions: class ids, or values in original units. */
  testPredictions: number[];
  /** Test class scores `[n, classes]` (classification) — for AUROC, calibration. */
  testScores: Float32Array | null;
  /** The target scaler fitted on the training split (regression), else null. */
  scaler: TargetScaler | null;
  /** Mean training loss of each epoch (over heads). */
  lossHistory: number[];
}

/** Trains the grid of probe heads, selects the best on validation, and evaluates it on test. */
export async function trainProbes<P extends ProbeModule>(
  options: TrainProbesOptions<P>,
): Promise<ProbeResult<P>> {
  const {
    task,
    makeProbe,
    apply,
    makeBatch,
    labels,
    lrs = [1e-4, 5e-5],
    weightDecays = [0.01, 0.1, 0.4],
    epochs = 20,
    minSteps = 0,
    batchSize = 8,
    seed = 0,
    onEpoch,
  } = options;
  const rng = new Random(seed);
  const grid = lrs.flatMap((lr) => weightDecays.map((weightDecay) => ({ lr, weightDecay })));
  const heads = grid.map((_, i) => makeProbe(i));
  const opts = heads.map((p, i) =>
    new AdamW(p.parameters(), { lr: grid[i].lr, weightDecay: grid[i].weightDecay })
  );
  const scaler = task.type === "regression" ? fitScaler(labels.train) : null;
  const nTrain = labels.train.length;
  if (nTrain === 0) throw new Error("trainProbes: the training split is empty");
  const stepsPerPass = Math.ceil(nTrain / batchSize);
  const passes = Math.max(1, Math.ceil(minSteps / (epochs * stepsPerPass)));
  const stepsPerEpoch = passes * stepsPerPass;
  const totalSteps = epochs * stepsPerEpoch;
  const higherIsBetter = task.type === "classification";
  let best = { head: 0, epoch: -1, valScore: higherIsBetter ? -Infinity : Infinity };
  let bestWeights: Tensor[] | null = null;
  const lossHistory: number[] = [];

  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    heads.forEach((h) => h.train());
    const order = Array.from({ length: passes }, () => shuffled(nTrain, rng));
    const losses: Promise<number>[] = [];
    for (let s = 0; s < stepsPerEpoch; s++) {
      const pass = Math.floor(s / stepsPerPass);
      const at = (s % stepsPerPass) * batchSize;
      const idx = order[pass].slice(at, at + batchSize);
      opts.forEach((o, i) => (o.lr = warmupCosineLr(step, {
        warmupSteps: 0,
        startLr: grid[i].lr,
        refLr: grid[i].lr,
        finalLr: 0,
        totalSteps,
      })));
      step++;
      const stepLoss = tidy(() => {
        const batch = makeBatch("train", idx, true, rng);
        const target = targetTensor(task, idx.map((i) => labels.train[i]), scaler);
        let total: Tensor | null = null;
        heads.forEach((probe, i) => {
          const loss = lossOf(task, apply(probe, batch, true), target);
          backward(loss);
          opts[i].step();
          opts[i].zeroGrad();
          total = total ? noGrad(() => add(total!, loss)) : loss;
        });
        return keep(total!);
      });
      losses.push(stepLoss.item().then((v) => (stepLoss.dispose(), v / heads.length)));
    }
    const epochLoss = (await Promise.all(losses)).reduce((a, b) => a + b, 0) / losses.length;
    if (!Number.isFinite(epochLoss)) {
      throw new Error(`trainProbes: training loss is ${epochLoss} at epoch ${epoch}`);
    }
    lossHistory.push(epochLoss);
    const outs = await predictAll(heads, apply, makeBatch, "val", labels.val.length, batchSize, rng);
    const scores = outs.map((o) => scoreOf(task, o, labels.val, scaler));
    onEpoch?.(epoch, scores, epochLoss);
    scores.forEach((score, head) => {
      if (higherIsBetter ? score > best.valScore : score < best.valScore) {
        best = { head, epoch, valScore: score };
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = noGrad(() => heads[head].parameters().map((p) => keep(clone(p))));
      }
    });
  }
  const probe = heads[best.head];
  probe.parameters().forEach((p, i) => assign(p, bestWeights![i]));
  bestWeights!.forEach((t) => t.dispose());
  heads.forEach((h, i) => {
    if (i !== best.head) h.dispose();
  });
  probe.eval();
  const [valOut] = await predictAll([probe], apply, makeBatch, "val", labels.val.length, batchSize, rng);
  const [testOut] = await predictAll([probe], apply, makeBatch, "test", labels.test.length, batchSize, rng);
  const testPredictions = decode(task, testOut, scaler);
  return {
    probe,
    best: { ...best, lr: grid[best.head].lr, weightDecay: grid[best.head].weightDecay },
    val: metricsOf(task, decode(task, valOut, scaler), labels.val),
    test: metricsOf(task, testPredictions, labels.test),
    testPredictions,
    testScores: task.type === "classification" ? testOut : null,
    scaler,
    lossHistory,
  };
}

function lossOf(task: ProbeTask, out: Tensor, target: Tensor): Tensor {
  if (task.type === "classification") return crossEntropy(out, target);
  return smoothL1Loss(reshape(slice(out, 1, 0, 1), [out.shape[0]]), target, 1);
}

function targetTensor(task: ProbeTask, values: number[], scaler: TargetScaler | null): Tensor {
  if (task.type === "classification") return tensor(Int32Array.from(values), [values.length]);
  return tensor(values.map((v) => (v - scaler!.mean) / scaler!.std), [values.length]);
}

/**
 * A trained probe's predictions on `n` further samples (class ids, or values in original units through the
 * training split's `scaler`), in evaluation mode: what a selected probe says about a set it was not trained or
 * selected on (a transfer cohort, perturbed clips).
 */
export async function predictWith<P extends ProbeModule>(
  probe: P,
  o: {
    task: ProbeTask;
    apply: (probe: P, batch: ProbeBatch, training: boolean) => Tensor;
    makeBatch: (indices: number[]) => ProbeBatch;
    n: number;
    batchSize: number;
    scaler: TargetScaler | null;
  },
): Promise<number[]> {
  const [out] = await predictAll(
    [probe],
    o.apply,
    (_, idx) => o.makeBatch(idx),
    "test",
    o.n,
    o.batchSize,
    new Random(0),
  );
  return decode(o.task, out, o.scaler);
}

/** Runs every head over a whole split in evaluation mode; returns each head's `[n, outputs]` outputs. */
async function predictAll<P extends ProbeModule>(
  heads: P[],
  apply: (probe: P, batch: ProbeBatch, training: boolean) => Tensor,
  makeBatch: (split: Split, indices: number[], training: boolean, rng: Random) => ProbeBatch,
  split: Split,
  n: number,
  batchSize: number,
  rng: Random,
): Promise<Float32Array[]> {
  heads.forEach((h) => h.eval());
  const reads: Promise<Float32Array | Int32Array | Uint32Array>[][] = heads.map(() => []);
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    const outs = noGrad(() =>
      tidy(() => {
        const batch = makeBatch(split, idx, false, rng);
        return heads.map((h) => apply(h, batch, false));
      })
    );
    outs.forEach((o, h) => reads[h].push(o.toArray().finally(() => o.dispose())));
  }
  const all = await Promise.all(reads.map((r) => Promise.all(r)));
  return all.map((chunks) => {
    const total = chunks.reduce((s, c) => s + c.length, 0);
    const out = new Float32Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  });
}

function decode(task: ProbeTask, out: Float32Array, scaler: TargetScaler | null): number[] {
  if (task.type === "classification") return argmaxRows(out, task.numClasses);
  const n = out.length;
  return Array.from({ length: n }, (_, i) => out[i] * scaler!.std + scaler!.mean);
}

function metricsOf(task: ProbeTask, predicted: number[], target: ArrayLike<number>): SplitMetrics {
  return task.type === "classification"
    ? classificationMetrics(predicted, target, task.numClasses)
    : regressionMetrics(predicted, target);
}

/** Validation score: accuracy (higher is better) or MAE in original units (lower is better). */
function scoreOf(
  task: ProbeTask,
  out: Float32Array,
  target: ArrayLike<number>,
  scaler: TargetScaler | null,
): number {
  const m = metricsOf(task, decode(task, out, scaler), target);
  return "accuracy" in m ? m.accuracy : m.mae;
}

function shuffled(n: number, rng: Random): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
