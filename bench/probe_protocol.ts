/**
 * Chooses the demo's probe schedules by measurement, on the VALIDATION patients only: each candidate schedule of
 * one probe (attentive or linear) is trained on a backbone's cached features of a finished demo run, selected on
 * validation and scored on validation too (every candidate has the same number of heads and epochs, so the
 * optimism of scoring where one selects is shared). The test patients the report reads are never touched.
 *
 *   deno run -A bench/probe_protocol.ts [--task views|ef] [--pooling mean|meanStd] [--run runs/demo-default]
 *     [--backbones jepa,pixels] [--draws 5] [--candidates name,…] [--out bench/probe_protocol.jsonl]
 *
 * Each row is one (candidate, backbone, budget): validation accuracy over the draws (views) or validation MAE
 * and R² beside the mean predictor's MAE (EF, all labels), and the wall time, with the load average, appended to
 * the output file.
 */

import { parseArgs } from "node:util";
import {
  classificationMetrics,
  type FeatureSet,
  type FrozenProbeKind,
  labelBudgetName,
  labelDraws,
  meanStd,
  type ProbeInputs,
  probeInputs,
  regressionMetrics,
  runFrozenProbes,
  type TimePooling,
} from "@echojepa/probe";
import { init } from "@echojepa/tensor";
import { loadBackbone, randomBackbone } from "../tools/demo/backbones.ts";
import { buildDemoData, type DemoClip } from "../tools/demo/data.ts";
import { backboneFeatures } from "../tools/demo/features.ts";
import { DEMO_PRESETS, type DemoPreset } from "../tools/demo/presets.ts";
import type { Backbone } from "../tools/demo/results.ts";
import { runSeeds } from "../tools/demo/seeds.ts";
import { backboneInputs, EF_POOLING } from "../tools/demo/tasks.ts";

/** A candidate: which probe, and what it changes in the default preset's schedule of that probe. */
interface Candidate {
  kind: FrozenProbeKind;
  lrs: number[];
  minSteps?: number;
  /** The attentive probe reads the time-pooled token grid (places tokens) instead of every token. */
  timePooled?: boolean;
  /** The attentive probe's blocks (the last one pools; the ones before it are self-attention over the tokens). */
  depth?: number;
  epochs?: number;
}

const CANDIDATES: Record<string, Candidate> = {
  "attentive-3e-4": { kind: "attentive", lrs: [3e-4] },
  "attentive-1e-3": { kind: "attentive", lrs: [1e-3] },
  "attentive-3e-3": { kind: "attentive", lrs: [3e-3] },
  "attentive-1e-2": { kind: "attentive", lrs: [1e-2] },
  "attentive-3e-2": { kind: "attentive", lrs: [3e-2] },
  "attentive-1e-3-s20": { kind: "attentive", lrs: [1e-3], minSteps: 20 },
  "attentive-1e-3-s150": { kind: "attentive", lrs: [1e-3], minSteps: 150 },
  "attentive-1e-2-s30": { kind: "attentive", lrs: [1e-2], minSteps: 30 },
  "attentive-3e-2-s30": { kind: "attentive", lrs: [3e-2], minSteps: 30 },
  "attentive-1e-2-pooled": { kind: "attentive", lrs: [1e-2], timePooled: true },
  "attentive-3e-2-pooled": { kind: "attentive", lrs: [3e-2], timePooled: true },
  "attentive-1e-3-d2": { kind: "attentive", lrs: [1e-3], depth: 2 },
  "attentive-3e-3-d2": { kind: "attentive", lrs: [3e-3], depth: 2 },
  "attentive-1e-2-d2": { kind: "attentive", lrs: [1e-2], depth: 2 },
  "attentive-3e-3-d3": { kind: "attentive", lrs: [3e-3], depth: 3 },
  "attentive-3e-3-d2-e30": { kind: "attentive", lrs: [3e-3], depth: 2, epochs: 30 },
  "attentive-1e-2-e30": { kind: "attentive", lrs: [1e-2], epochs: 30 },
  "linear-3e-3": { kind: "linear", lrs: [3e-3] },
  "linear-1e-3": { kind: "linear", lrs: [1e-3] },
  knn: { kind: "knn", lrs: [] },
  "linear-3e-2": { kind: "linear", lrs: [3e-2] },
};

const { values } = parseArgs({
  options: {
    task: { type: "string", default: "views" },
    // The linear probe's and kNN's time pooling; default the demo's for the task (views "mean", EF EF_POOLING).
    pooling: { type: "string" },
    run: { type: "string", default: "runs/demo-default" },
    backbones: { type: "string", default: "jepa,pixels" },
    draws: { type: "string", default: "5" },
    budgets: { type: "string", default: "5-shot,100%" },
    candidates: { type: "string", default: Object.keys(CANDIDATES).join(",") },
    out: { type: "string", default: "bench/probe_protocol.jsonl" },
  },
});

const preset: DemoPreset = DEMO_PRESETS.default;
const seeds = runSeeds(0);
await init();
const data = await buildDemoData(preset, seeds);
const task = values.task === "ef" ? "ef" : values.task === "views" ? "views" : undefined;
if (!task) throw new Error(`--task: expected views or ef, got ${values.task}`);
const demoPooling: TimePooling = task === "ef" ? EF_POOLING : "mean";
const pooling = (values.pooling ?? demoPooling) as TimePooling;
if (pooling !== "mean" && pooling !== "meanStd") {
  throw new Error(`--pooling: expected mean or meanStd`);
}
const split = task === "ef" ? data.ef : data;
const labelOf = (c: DemoClip) => (task === "ef" ? c.ef : c.viewIndex);
const labels = {
  train: split.train.map(labelOf),
  val: split.val.map(labelOf),
  test: split.val.map(labelOf), // scored on validation: the test split is never read
};
// EF is probed with all labels only, as the demo does.
const budgets = preset.protocol.budgets.filter((b) =>
  task === "ef" ? labelBudgetName(b) === "100%" : values.budgets!.split(",").includes(labelBudgetName(b))
);
const trainMean = labels.train.reduce((a, b) => a + b, 0) / labels.train.length;
const meanPredictorMae = labels.val.reduce((s, v) => s + Math.abs(v - trainMean), 0) / labels.val.length;
const draws = Number(values.draws);

for (const b of values.backbones!.split(",") as Backbone[]) {
  const randomAt = ["random", "random-2", "random-3"].indexOf(b);
  const encoder = b === "pixels"
    ? "pixels"
    : randomAt >= 0
    ? randomBackbone(preset, seeds.randomInits[randomAt])
    : await loadBackbone(values.run!, b);
  const f = await backboneFeatures(preset, seeds, data, encoder, b, values.run!, false);
  const all = backboneInputs(preset, f);
  const timeSlots = preset.frames / preset.encoder.tubeletSize;
  const pooled = (s: FeatureSet) => probeInputs(s, all.stats, timeSlots, pooling);
  const sets = task === "ef" ? f.ef : f;
  const x = pooling === demoPooling
    ? (task === "ef" ? all.ef : all)
    : { train: pooled(sets.train), val: pooled(sets.val), test: pooled(sets.test) };
  const places = x.train.tokens.tokens / (preset.frames / preset.encoder.tubeletSize);
  for (const name of values.candidates!.split(",")) {
    const c = CANDIDATES[name];
    if (!c) throw new Error(`unknown candidate ${name}; choose from ${Object.keys(CANDIDATES).join(", ")}`);
    for (const budget of budgets) {
      const all = budget.kind === "fraction" && budget.fraction >= 1;
      const rowsOf = all
        ? [labels.train.map((_, i) => i)]
        : labelDraws(labels.train, budget, draws, seeds.labelDraws);
      const t0 = performance.now();
      const acc: number[] = [], r2: number[] = [];
      for (const [d, rows] of rowsOf.entries()) {
        const schedule = {
          ...(c.kind === "attentive" ? preset.probe : preset.protocol.linear),
          lrs: c.lrs,
          ...(c.minSteps !== undefined ? { minSteps: c.minSteps } : {}),
          ...(c.depth !== undefined ? { depth: c.depth } : {}),
          ...(c.epochs !== undefined ? { epochs: c.epochs } : {}),
        };
        const inputs = (s: ProbeInputs): ProbeInputs =>
          c.timePooled ? { ...s, tokens: { ...s.pooled, tokens: places, dim: s.tokens.dim } } : s;
        const runs = await runFrozenProbes({
          task: task === "ef" ? { type: "regression" } : { type: "classification", numClasses: 13 },
          train: inputs(x.train),
          val: inputs(x.val),
          test: inputs(x.val),
          labels,
          rows,
          kinds: [c.kind],
          attentive: { ...preset.probe, ...schedule },
          linear: { ...preset.protocol.linear, ...schedule },
          seed: seeds.labelDraws + d,
        });
        const predicted = runs[c.kind]!.testPredictions;
        if (task === "ef") {
          const m = regressionMetrics(predicted, labels.val);
          acc.push(m.mae);
          r2.push(m.r2);
        } else acc.push(classificationMetrics(predicted, labels.val, 13).accuracy * 100);
      }
      const seconds = (performance.now() - t0) / 1000;
      const row = {
        candidate: name,
        backbone: b,
        budget: labelBudgetName(budget),
        draws: rowsOf.length,
        ...(task === "ef"
          ? { task, pooling, valMae: meanStd(acc), valR2: meanStd(r2), meanPredictorMae }
          : { valAccuracy: meanStd(acc), ...(pooling === "mean" ? {} : { pooling }) }),
        seconds: Math.round(seconds * 10) / 10,
        load: Deno.loadavg()[0],
        at: new Date().toISOString(),
      };
      console.log(JSON.stringify(row));
      await Deno.writeTextFile(values.out!, JSON.stringify(row) + "\n", { append: true });
    }
  }
  if (encoder !== "pixels") encoder.dispose();
}
Deno.exit(0);
