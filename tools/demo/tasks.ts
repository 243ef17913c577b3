/**
 * The probe experiments of the demo, on cached frozen features of one backbone: view classification at label
 * fractions, EF regression (with paediatric zero-shot transfer and robustness to the reference perturbations from
 * the same EF probe), and the RVSP-like multi-view task with its ablations.
 */

import { averageDegradation, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import {
  AttentiveProbe,
  aurocBelow,
  bootstrap,
  classificationMetrics,
  type FeatureSet,
  gatherFeatures,
  meanStd,
  MultiViewProbe,
  type ProbeBatch,
  type ProbeResult,
  regressionMetrics,
  stratifiedSubset,
  type TargetScaler,
  trainProbes,
  viewDropout,
} from "@echojepa/probe";
import { noGrad, type Random, type Tensor, tensor, tidy } from "@echojepa/tensor";
import { type DemoClip, type DemoData, EF_VIEWS, RVSP_VIEWS, studies } from "./data.ts";
import type { DemoPreset } from "./presets.ts";
import type {
  EfResult,
  PediatricResult,
  RobustnessResult,
  RvspResult,
  RvspVariant,
  ViewResult,
} from "./results.ts";

/** Frozen features of every clip of the demo data for one backbone. */
export interface BackboneFeatures {
  train: FeatureSet;
  val: FeatureSet;
  test: FeatureSet;
  pediatric: FeatureSet;
  /** Features of the EF test clips under each reference perturbation condition, by condition id. */
  perturbed: Record<string, FeatureSet>;
}

type SplitName = "train" | "val" | "test";

function tokensBatch(set: FeatureSet, indices: number[]): Tensor {
  return tensor(gatherFeatures(set, indices), [indices.length, set.tokens, set.dim]);
}

function attentive(
  p: DemoPreset,
  dim: number,
  outputs: number,
  kind: "classifier" | "regressor",
): AttentiveProbe {
  return new AttentiveProbe({ dim, outputs, kind, depth: p.probe.depth, numHeads: p.probe.numHeads });
}

function protocol(p: DemoPreset) {
  const { epochs, minSteps, batchSize, lrs, weightDecays } = p.probe;
  return { epochs, minSteps, batchSize, lrs, weightDecays };
}

/**
 * View classification with `fraction` of the training labels (stratified), one run per seed; `onProbe` sees each
 * trained probe before it is released.
 */
export async function viewClassification(
  p: DemoPreset,
  data: DemoData,
  f: BackboneFeatures,
  fraction: number,
  seeds: number[],
  onProbe?: (probe: AttentiveProbe, seed: number) => Promise<void>,
): Promise<ViewResult> {
  const classes = 13;
  const trainLabels = data.train.map((c) => c.viewIndex);
  const runs: { acc: number; bal: number; confusion: number[][]; n: number }[] = [];
  for (const seed of seeds) {
    const subset = fraction >= 1
      ? trainLabels.map((_, i) => i)
      : stratifiedSubset(trainLabels, fraction, seed);
    const index: Record<SplitName, number[]> = {
      train: subset,
      val: data.val.map((_, i) => i),
      test: data.test.map((_, i) => i),
    };
    const result = await trainProbes({
      ...protocol(p),
      seed,
      task: { type: "classification", numClasses: classes },
      makeProbe: () => attentive(p, f.train.dim, classes, "classifier"),
      apply: (probe, b) => probe.forward(b.x, b.mask),
      makeBatch: (split, idx) => ({ x: tokensBatch(f[split], idx.map((i) => index[split][i])), mask: null }),
      labels: {
        train: subset.map((i) => trainLabels[i]),
        val: data.val.map((c) => c.viewIndex),
        test: data.test.map((c) => c.viewIndex),
      },
    });
    const m = classificationMetrics(result.testPredictions, data.test.map((c) => c.viewIndex), classes);
    runs.push({ acc: m.accuracy, bal: m.balancedAccuracy, confusion: m.confusion, n: subset.length });
    await onProbe?.(result.probe, seed);
    result.probe.dispose();
  }
  const acc = meanStd(runs.map((r) => r.acc * 100));
  const bal = meanStd(runs.map((r) => r.bal * 100));
  return {
    accuracy: { ...acc, runs: runs.map((r) => r.acc * 100) },
    balancedAccuracy: { ...bal, runs: runs.map((r) => r.bal * 100) },
    confusion: runs[0].confusion,
    trainClips: runs[0].n,
  };
}

/** Indices of a split's clips in the EF views. */
export function efIndices(clips: DemoClip[]): number[] {
  return clips.flatMap((c, i) => (EF_VIEWS.includes(c.view) ? [i] : []));
}

/** Runs a trained regression probe over features, returning de-normalised predictions. */
export async function predictRegression(
  probe: AttentiveProbe,
  set: FeatureSet,
  indices: number[],
  scaler: TargetScaler,
  batchSize: number,
): Promise<number[]> {
  probe.eval();
  const reads: Promise<Float32Array | Int32Array | Uint32Array>[] = [];
  for (let s = 0; s < indices.length; s += batchSize) {
    const idx = indices.slice(s, s + batchSize);
    const out = noGrad(() => tidy(() => probe.forward(tokensBatch(set, idx))));
    reads.push(out.toArray().finally(() => out.dispose()));
  }
  const values = (await Promise.all(reads)).flatMap((a) => Array.from(a));
  return values.map((z) => z * scaler.std + scaler.mean);
}

/**
 * EF regression, its paediatric zero-shot transfer and its robustness, from one probe trained on adult clips;
 * `onProbe` sees the trained probe and its target scaler before it is released.
 */
export async function efExperiments(
  p: DemoPreset,
  data: DemoData,
  f: BackboneFeatures,
  onProbe?: (probe: AttentiveProbe, scaler: TargetScaler) => Promise<void>,
): Promise<{ ef: EfResult; pediatric: PediatricResult; robustness: RobustnessResult }> {
  const index: Record<SplitName, number[]> = {
    train: efIndices(data.train),
    val: efIndices(data.val),
    test: efIndices(data.test),
  };
  const labels = (split: SplitName) => index[split].map((i) => data[split][i].ef);
  const result: ProbeResult<AttentiveProbe> = await trainProbes({
    ...protocol(p),
    task: { type: "regression" },
    makeProbe: () => attentive(p, f.train.dim, 1, "regressor"),
    apply: (probe, b) => probe.forward(b.x, b.mask),
    makeBatch: (split, idx) => ({ x: tokensBatch(f[split], idx.map((i) => index[split][i])), mask: null }),
    labels: { train: labels("train"), val: labels("val"), test: labels("test") },
  });
  const target = labels("test");
  const predicted = result.testPredictions;
  const m = regressionMetrics(predicted, target);
  const ci = bootstrap(
    target.length,
    (idx) => idx.reduce((s, i) => s + Math.abs(predicted[i] - target[i]), 0) / idx.length,
    {
      resamples: 1000,
      seed: 7,
    },
  );
  const ef: EfResult = {
    mae: m.mae,
    maeLow: ci.low,
    maeHigh: ci.high,
    rmse: m.rmse,
    r2: m.r2,
    pearson: m.pearson,
    auroc50: aurocBelow(predicted, target, 50),
    auroc40: aurocBelow(predicted, target, 40),
    target,
    predicted,
  };
  const scaler = result.scaler!;
  const kids = data.pediatric.map((_, i) => i);
  const kidPred = await predictRegression(result.probe, f.pediatric, kids, scaler, p.probe.batchSize);
  const km = regressionMetrics(kidPred, data.pediatric.map((c) => c.ef));
  const pediatric: PediatricResult = { adultMae: m.mae, pediatricMae: km.mae, pediatricR2: km.r2 };
  const conditions: { name: string; mae: number }[] = [];
  for (const id of REFERENCE_CONDITION_IDS) {
    const set = f.perturbed[id];
    const pred = await predictRegression(
      result.probe,
      set,
      [...Array(set.count).keys()],
      scaler,
      p.probe.batchSize,
    );
    conditions.push({ name: id, mae: regressionMetrics(pred, target).mae });
  }
  await onProbe?.(result.probe, scaler);
  result.probe.dispose();
  const robustness: RobustnessResult = {
    clean: m.mae,
    conditions,
    averageDegradation: averageDegradation(m.mae, conditions.map((c) => c.mae)),
  };
  return { ef, pediatric, robustness };
}

/** The RVSP-like multi-view task and its ablations; single-view probes show that neither view suffices. */
export async function rvspExperiments(
  p: DemoPreset,
  data: DemoData,
  f: BackboneFeatures,
): Promise<Partial<Record<RvspVariant, RvspResult>>> {
  const C = p.clipsPerView;
  const V = RVSP_VIEWS.length;
  const st: Record<SplitName, { patientId: string; slots: number[] }[]> = {
    train: studies(data.train, RVSP_VIEWS, C),
    val: studies(data.val, RVSP_VIEWS, C),
    test: studies(data.test, RVSP_VIEWS, C),
  };
  const labels = (split: SplitName) => st[split].map((s) => data[split][s.slots[0]].rvsp);
  const out: Partial<Record<RvspVariant, RvspResult>> = {};
  const variants: [RvspVariant, { dropout: number; embedding: "factorized" | "none"; late: boolean }][] = [
    ["multi-view", { dropout: 0.1, embedding: "factorized", late: false }],
    ["no view dropout", { dropout: 0, embedding: "factorized", late: false }],
    ["no stream embeddings", { dropout: 0.1, embedding: "none", late: false }],
    ["late fusion", { dropout: 0.1, embedding: "factorized", late: true }],
  ];
  const dim = f.train.dim;
  const tokens = f.train.tokens;
  // Six probes on two-view studies: without the step floor (all labels are used, and the floor would make this the
  // slowest stage of the demo).
  const rvspProtocol = { ...protocol(p), minSteps: 0 };
  for (const [name, v] of variants) {
    const makeBatch = (split: SplitName, idx: number[], training: boolean, rng: Random): ProbeBatch => {
      const slots = idx.flatMap((i) => st[split][i].slots);
      const x = tensor(gatherFeatures(f[split], slots), [idx.length, V * C, tokens, dim]);
      const all = idx.map(() => RVSP_VIEWS.map(() => true));
      return { x, mask: null, present: training && v.dropout > 0 ? viewDropout(all, v.dropout, rng) : all };
    };
    const result = await trainProbes({
      ...rvspProtocol,
      task: { type: "regression" },
      makeProbe: (head) =>
        new MultiViewProbe({
          dim,
          outputs: 1,
          kind: "regressor",
          depth: p.probe.depth,
          numHeads: p.probe.numHeads,
          views: V,
          clips: C,
          streamEmbedding: v.embedding,
          lateFusion: v.late,
          seed: head,
        }),
      apply: (probe, b) => probe.forwardStudy(b.x, b.present!),
      makeBatch,
      labels: { train: labels("train"), val: labels("val"), test: labels("test") },
    });
    const m = regressionMetrics(result.testPredictions, labels("test"));
    out[name] = { mae: m.mae, r2: m.r2 };
    result.probe.dispose();
  }
  for (const [vi, view] of RVSP_VIEWS.entries()) {
    const name = `${view} only` as RvspVariant;
    const result = await trainProbes({
      ...rvspProtocol,
      task: { type: "regression" },
      makeProbe: () => attentive(p, dim, 1, "regressor"),
      apply: (probe, b) => probe.forward(b.x, b.mask),
      makeBatch: (split, idx) => ({
        x: tokensBatch(f[split], idx.map((i) => st[split][i].slots[vi * C])),
        mask: null,
      }),
      labels: { train: labels("train"), val: labels("val"), test: labels("test") },
    });
    const m = regressionMetrics(result.testPredictions, labels("test"));
    out[name] = { mae: m.mae, r2: m.r2 };
    result.probe.dispose();
  }
  return out;
}
