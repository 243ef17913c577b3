/**
 * The probe experiments of the demo on cached frozen features of one backbone, under the fair protocol of
 * `@echojepa/probe` (features standardised with the training split's statistics; attentive probe with a small
 * learning-rate sweep, linear probe on mean-pooled tokens, kNN): view classification at k-shot and label-fraction
 * budgets over several label draws, EF regression (with paediatric zero-shot transfer and robustness to the
 * reference perturbations from the same EF probe), and the RVSP-like multi-view task with its ablations.
 */

import { averageDegradation, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import {
  type AttentiveProbe,
  aurocBelow,
  bootstrap,
  type ChannelStats,
  classificationMetrics,
  type FeatureSet,
  FROZEN_PROBE_KINDS,
  type FrozenProbeKind,
  gatherFeatures,
  labelBudgetName,
  labelDraws,
  type LinearProbe,
  meanStd,
  MultiViewProbe,
  type ProbeBatch,
  type ProbeInputs,
  probeInputs,
  regressionMetrics,
  runFrozenProbes,
  standardisedInputs,
  type TargetScaler,
  type TimePooling,
  trainProbes,
  viewDropout,
} from "@echojepa/probe";
import { type Random, tensor } from "@echojepa/tensor";
import { type DemoData, RVSP_VIEWS, studies } from "./data.ts";
import type { DemoPreset } from "./presets.ts";
import type {
  EfProbe,
  EfResult,
  PediatricResult,
  ProbeScore,
  RobustnessResult,
  RvspResult,
  RvspVariant,
  ViewProbes,
  ViewResult,
} from "./results.ts";

/** Frozen features of every clip of the demo data for one backbone. */
export interface BackboneFeatures {
  train: FeatureSet;
  val: FeatureSet;
  test: FeatureSet;
  /** The EF task's clips by split. */
  ef: Record<SplitName, FeatureSet>;
  pediatric: FeatureSet;
  /** Features of the EF test clips under each reference perturbation condition, by condition id. */
  perturbed: Record<string, FeatureSet>;
}

/** A backbone's probe inputs: every set standardised with the training split's per-channel statistics. */
export interface BackboneInputs {
  /** The statistics (a saved probe needs them to read new features the same way). */
  stats: ChannelStats;
  train: ProbeInputs;
  val: ProbeInputs;
  test: ProbeInputs;
  ef: Record<SplitName, ProbeInputs>;
  pediatric: ProbeInputs;
  perturbed: Record<string, ProbeInputs>;
}

type SplitName = "train" | "val" | "test";

/**
 * How the EF probes' linear input pools time: EF is a motion amplitude, which a time mean cannot show. Measured on
 * the VALIDATION patients of the default run with the EF cohort (bench/probe_protocol.ts --task ef, load 1.5–2):
 * the linear probe's R² goes from about 0 (mean) to 0.33 (JEPA), 0.30 (MAE), 0.33 (random init) and 0.13 (raw
 * pixels) with mean and spread, while the attentive probe stays at R² ≈ 0 at depth 1–3.
 */
export const EF_POOLING: TimePooling = "meanStd";

/**
 * Standardises all of a backbone's features with its view training split's statistics (once per backbone); the
 * pooled inputs average the preset's `frames / tubelet` time slots, and the EF sets (with the paediatric and
 * perturbed clips its probes read) pool by {@link EF_POOLING}.
 */
export function backboneInputs(p: DemoPreset, f: BackboneFeatures): BackboneInputs {
  const timeSlots = p.frames / p.encoder.tubeletSize;
  const { stats, inputs } = standardisedInputs(
    f.train,
    { train: f.train, val: f.val, test: f.test },
    timeSlots,
  );
  const ef = (set: FeatureSet) => probeInputs(set, stats, timeSlots, EF_POOLING);
  return {
    stats,
    ...inputs,
    ef: { train: ef(f.ef.train), val: ef(f.ef.val), test: ef(f.ef.test) },
    pediatric: ef(f.pediatric),
    perturbed: Object.fromEntries(Object.entries(f.perturbed).map(([id, set]) => [id, ef(set)])),
  };
}

function schedules(p: DemoPreset) {
  const { depth, numHeads, epochs, minSteps, batchSize, lrs, weightDecays } = p.probe;
  return {
    attentive: { depth, numHeads, epochs, minSteps, batchSize, lrs, weightDecays },
    linear: p.protocol.linear,
  };
}

/** The view classification of one backbone at every label budget of the preset. */
export interface ViewExperiment {
  /** Every probe at every budget. */
  probes: ViewProbes;
  /**
   * The {@link HEADLINE_PROBE}'s results in the report's older shape (accuracy, balanced accuracy, confusion), for
   * the label-efficiency table and figure and the confusion matrix.
   */
  headline: Record<string, ViewResult>;
}

/** The probe of the report's label-efficiency table and confusion matrix: the one every preset runs at every budget. */
export const HEADLINE_PROBE: FrozenProbeKind = "linear";

/**
 * View classification under every label budget of the preset: all three probes with all labels, the preset's
 * `protocol.fewLabelProbes` at the few-label budgets, which are drawn `protocol.draws` times (draw d seeded
 * `drawSeed + d`, the same draws for every backbone). `onProbe` sees the all-labels attentive probe before it is
 * released.
 */
export async function viewExperiments(
  p: DemoPreset,
  data: DemoData,
  x: Pick<BackboneInputs, "train" | "val" | "test">,
  drawSeed: number,
  onProbe?: (probe: AttentiveProbe) => Promise<void>,
  onBudget?: (name: string, scores: Partial<Record<string, ProbeScore>>) => void,
  kinds: readonly FrozenProbeKind[] = FROZEN_PROBE_KINDS,
): Promise<ViewExperiment> {
  const classes = 13;
  const labels = {
    train: data.train.map((c) => c.viewIndex),
    val: data.val.map((c) => c.viewIndex),
    test: data.test.map((c) => c.viewIndex),
  };
  const probes: ViewProbes = {};
  const headline: Record<string, ViewResult> = {};
  // Budgets whose draws are the very same subsets (1 % of 42 clips per view is 1-shot) share one set of probes.
  const byDraws = new Map<string, string>();
  for (const budget of p.protocol.budgets) {
    const name = labelBudgetName(budget);
    const all = budget.kind === "fraction" && budget.fraction >= 1;
    const draws = all
      ? [labels.train.map((_, i) => i)]
      : labelDraws(labels.train, budget, p.protocol.draws, drawSeed);
    const same = byDraws.get(JSON.stringify(draws));
    if (same !== undefined) {
      probes[name] = probes[same];
      if (headline[same]) headline[name] = headline[same];
      onBudget?.(`${name} (the same draws as ${same})`, probes[name]);
      continue;
    }
    byDraws.set(JSON.stringify(draws), name);
    const perKind = new Map<
      string,
      { acc: number[]; bal: number[]; correct: number[]; confusion?: number[][] }
    >();
    for (const [d, rows] of draws.entries()) {
      const runs = await runFrozenProbes({
        task: { type: "classification", numClasses: classes },
        train: x.train,
        val: x.val,
        test: x.test,
        labels,
        rows,
        kinds: all ? kinds : kinds.filter((k) => p.protocol.fewLabelProbes.includes(k)),
        ...schedules(p),
        seed: drawSeed + d,
        onTrained: all && onProbe
          ? (kind, probe) => (kind === "attentive" ? onProbe(probe as AttentiveProbe) : Promise.resolve())
          : undefined,
      });
      for (const [kind, run] of Object.entries(runs)) {
        const m = classificationMetrics(run!.testPredictions, labels.test, classes);
        const acc = perKind.get(kind) ?? { acc: [], bal: [], correct: labels.test.map(() => 0) };
        acc.acc.push(m.accuracy * 100);
        acc.bal.push(m.balancedAccuracy * 100);
        run!.testPredictions.forEach((pred, i) => (acc.correct[i] += pred === labels.test[i] ? 1 : 0));
        acc.confusion ??= m.confusion;
        perKind.set(kind, acc);
      }
    }
    probes[name] = {};
    for (const kind of FROZEN_PROBE_KINDS) {
      const r = perKind.get(kind);
      if (!r) continue;
      const accuracy = { ...meanStd(r.acc), runs: r.acc };
      probes[name][kind] = {
        accuracy,
        correct: r.correct.map((c) => c / draws.length),
        trainClips: draws[0].length,
      };
      if (kind === HEADLINE_PROBE) {
        headline[name] = {
          accuracy,
          balancedAccuracy: { ...meanStd(r.bal), runs: r.bal },
          confusion: r.confusion!,
          trainClips: draws[0].length,
        };
      }
    }
    onBudget?.(name, probes[name]);
  }
  return { probes, headline };
}

function rowsOf(set: ProbeInputs, indices: number[]): ProbeInputs {
  const pick = (s: FeatureSet): FeatureSet => ({
    ...s,
    count: indices.length,
    data: gatherFeatures(s, indices),
  });
  return { tokens: pick(set.tokens), pooled: pick(set.pooled) };
}

const meanAbs = (a: number[], b: number[]): number =>
  a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

/**
 * EF regression on the EF task's clips: the attentive probe and the linear probe (on {@link EF_POOLING} inputs),
 * and whichever of the two has the lower validation MAE is the backbone's EF probe — its test metrics are the
 * result's, and its predictions give the paediatric zero-shot transfer and the robustness to the reference
 * perturbations (`seed`: the probes' shuffling and the bootstrap of the MAE's interval). `onProbe` sees each trained
 * probe and the target scaler before it is released (the model bundle keeps a copy of the chosen one).
 */
export async function efExperiments(
  p: DemoPreset,
  data: DemoData,
  x: BackboneInputs,
  seed: number,
  onProbe?: (kind: EfProbe, probe: AttentiveProbe | LinearProbe, scaler: TargetScaler) => Promise<void>,
): Promise<{ ef: EfResult; pediatric: PediatricResult; robustness: RobustnessResult }> {
  const labels = (split: SplitName) => data.ef[split].map((c) => c.ef);
  const target = labels("test");
  const kidTarget = data.pediatric.map((c) => c.ef);
  const trainMean = labels("train").reduce((a, b) => a + b, 0) / data.ef.train.length;
  const runs = await runFrozenProbes({
    task: { type: "regression" },
    train: x.ef.train,
    val: x.ef.val,
    test: x.ef.test,
    labels: { train: labels("train"), val: labels("val"), test: target },
    kinds: ["attentive", "linear"],
    ...schedules(p),
    seed,
    extra: { pediatric: x.pediatric, ...x.perturbed },
    onTrained: (kind, probe, scaler) => onProbe?.(kind, probe, scaler!) ?? Promise.resolve(),
  });
  const probe: EfProbe = runs.linear!.chosen!.valScore < runs.attentive!.chosen!.valScore
    ? "linear"
    : "attentive";
  const chosen = runs[probe]!;
  const predicted = chosen.testPredictions;
  const m = regressionMetrics(predicted, target);
  const ci = bootstrap(
    target.length,
    (idx) => idx.reduce((s, i) => s + Math.abs(predicted[i] - target[i]), 0) / idx.length,
    { resamples: 1000, seed },
  );
  const summary = (kind: EfProbe) => {
    const r = regressionMetrics(runs[kind]!.testPredictions, target);
    return {
      mae: r.mae,
      r2: r.r2,
      predicted: runs[kind]!.testPredictions,
      valMae: runs[kind]!.chosen!.valScore,
    };
  };
  const ef: EfResult = {
    probe,
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
    attentive: summary("attentive"),
    linear: { ...summary("linear"), pooling: EF_POOLING },
    trainMean,
  };
  const kidPred = chosen.predictions!.pediatric;
  const km = regressionMetrics(kidPred, kidTarget);
  const pediatric: PediatricResult = {
    adultMae: m.mae,
    pediatricMae: km.mae,
    pediatricR2: km.r2,
    target: kidTarget,
    predicted: kidPred,
    meanPredictorMae: meanAbs(kidTarget.map(() => trainMean), kidTarget),
  };
  const conditions = REFERENCE_CONDITION_IDS.map((name) => {
    const cp = chosen.predictions![name];
    return { name, mae: regressionMetrics(cp, target).mae, predicted: cp };
  });
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
  x: BackboneInputs,
): Promise<Partial<Record<RvspVariant, RvspResult>>> {
  const C = p.clipsPerView;
  const V = RVSP_VIEWS.length;
  const f = { train: x.train.tokens, val: x.val.tokens, test: x.test.tokens };
  const st: Record<SplitName, { patientId: string; slots: number[] }[]> = {
    train: studies(data.train, RVSP_VIEWS, C),
    val: studies(data.val, RVSP_VIEWS, C),
    test: studies(data.test, RVSP_VIEWS, C),
  };
  const labels = (split: SplitName) => st[split].map((s) => data[split][s.slots[0]].rvsp);
  const target = labels("test");
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
  const { attentive } = schedules(p);
  const rvspProtocol = { ...attentive, minSteps: 0 };
  const trainLabels = labels("train");
  const trainMean = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
  const record = (name: RvspVariant, predicted: number[]) => {
    const m = regressionMetrics(predicted, target);
    out[name] = { mae: m.mae, r2: m.r2, target, predicted, trainMean };
  };
  for (const [name, v] of variants) {
    const makeBatch = (split: SplitName, idx: number[], training: boolean, rng: Random): ProbeBatch => {
      const slots = idx.flatMap((i) => st[split][i].slots);
      const batch = tensor(gatherFeatures(f[split], slots), [idx.length, V * C, tokens, dim]);
      const all = idx.map(() => RVSP_VIEWS.map(() => true));
      return {
        x: batch,
        mask: null,
        present: training && v.dropout > 0 ? viewDropout(all, v.dropout, rng) : all,
      };
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
      labels: { train: labels("train"), val: labels("val"), test: target },
    });
    record(name, result.testPredictions);
    result.probe.dispose();
  }
  for (const [vi, view] of RVSP_VIEWS.entries()) {
    const name = `${view} only` as RvspVariant;
    const slot = (split: SplitName) => st[split].map((s) => s.slots[vi * C]);
    const runs = await runFrozenProbes({
      task: { type: "regression" },
      train: rowsOf(x.train, slot("train")),
      val: rowsOf(x.val, slot("val")),
      test: rowsOf(x.test, slot("test")),
      labels: { train: labels("train"), val: labels("val"), test: target },
      kinds: ["attentive"],
      attentive: rvspProtocol,
      linear: p.protocol.linear,
      seed: 0,
    });
    record(name, runs.attentive!.testPredictions);
  }
  return out;
}
