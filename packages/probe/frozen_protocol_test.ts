import assert from "node:assert/strict";
import { init } from "@echojepa/tensor";
import type { FeatureSet } from "./features.ts";
import { runFrozenProbes, standardisedInputs } from "./frozen_protocol.ts";
import { Random } from "@echojepa/core";

await init();

/**
 * `n` samples of 3 classes, 4 tokens × 6 channels: every token sits on one large vector shared by all samples
 * (1000 in every channel, as trained encoders' tokens do) with small noise; the class adds 0.5 to channel `class`
 * of every token; channels 3–5 carry large class-free noise (±50). Unstandardised, distances see that noise;
 * standardised, every channel counts alike.
 */
function control(n: number, seed: number): { set: FeatureSet; labels: number[] } {
  const rand = new Random(seed).source();
  const [tokens, dim] = [4, 6];
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const data = new Float32Array(n * tokens * dim);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < tokens; t++) {
      for (let c = 0; c < dim; c++) {
        const nuisance = c >= 3 ? 100 * (rand() - 0.5) : 0.2 * (rand() - 0.5);
        data[(s * tokens + t) * dim + c] = 1000 + nuisance + (c === labels[s] ? 0.5 : 0);
      }
    }
  }
  return { set: { count: n, tokens, dim, data }, labels };
}

Deno.test("runFrozenProbes: standardised features let all three probes read a class buried under a shared vector", async () => {
  const [train, val, test] = [control(30, 1), control(15, 2), control(30, 3)];
  const { inputs, stats } = standardisedInputs(train.set, { train: train.set, val: val.set, test: test.set });
  assert.ok(Math.abs(stats.mean[0] - 1000) < 0.5, "statistics come from the training split");
  const schedule = { epochs: 10, minSteps: 60, batchSize: 8, lrs: [1e-2, 3e-2], weightDecays: [0] };
  const runs = await runFrozenProbes({
    task: { type: "classification", numClasses: 3 },
    ...inputs,
    labels: { train: train.labels, val: val.labels, test: test.labels },
    rows: [0, 1, 2, 3, 4, 5, 6, 7, 8], // three per class
    attentive: { ...schedule, depth: 1, numHeads: 2 },
    linear: schedule,
    seed: 1,
  });
  for (const kind of ["attentive", "linear", "knn"] as const) {
    const correct = runs[kind]!.testPredictions.filter((p, i) => p === test.labels[i]).length;
    assert.ok(correct / test.labels.length >= 0.9, `${kind}: ${correct}/${test.labels.length} correct`);
  }
  assert.equal(runs.knn!.chosen, null);
  assert.ok([1e-2, 3e-2].includes(runs.attentive!.chosen!.lr));
});

Deno.test("runFrozenProbes: regression skips kNN and returns values in the target's units", async () => {
  const [train, val, test] = [control(30, 4), control(12, 5), control(12, 6)];
  const { inputs } = standardisedInputs(train.set, { train: train.set, val: val.set, test: test.set });
  const y = (labels: number[]) => labels.map((l) => 40 + 10 * l);
  const schedule = { epochs: 8, minSteps: 40, batchSize: 8, lrs: [1e-2], weightDecays: [0] };
  const runs = await runFrozenProbes({
    task: { type: "regression" },
    ...inputs,
    labels: { train: y(train.labels), val: y(val.labels), test: y(test.labels) },
    kinds: ["linear", "knn"],
    attentive: { ...schedule, depth: 1, numHeads: 2 },
    linear: schedule,
    seed: 1,
  });
  assert.deepEqual(Object.keys(runs), ["linear"]);
  const err = runs.linear!.testPredictions.map((p, i) => Math.abs(p - y(test.labels)[i]));
  assert.ok(err.reduce((a, b) => a + b, 0) / err.length < 5, `MAE ${err}`);
});

/**
 * `n` clips of 2 time slots × 2 places × 16 channels whose target is a motion amplitude: channel 0 of place 0 swings
 * from −a to +a over time (its time mean is 0 whatever a is); everything else is small noise, which standardisation
 * brings to the scale of the signal (so the linear probe's LayerNorm sees a whole vector, as with real tokens).
 */
function swing(n: number, seed: number): { set: FeatureSet; target: number[] } {
  const rand = new Random(seed).source();
  const [slots, places, dim] = [2, 2, 16];
  const target = Array.from({ length: n }, () => 0.5 + rand());
  const data = new Float32Array(n * slots * places * dim);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < slots * places * dim; j++) data[s * slots * places * dim + j] = 0.2 * (rand() - 0.5);
    data[s * slots * places * dim] -= target[s]; // t 0, place 0, channel 0
    data[s * slots * places * dim + places * dim] += target[s]; // t 1, place 0, channel 0
  }
  return { set: { count: n, tokens: slots * places, dim, data }, target };
}

Deno.test("runFrozenProbes: statistics pooling lets the linear probe read a motion amplitude the time mean hides", async () => {
  const [train, val, test] = [swing(200, 7), swing(40, 8), swing(40, 9)];
  const schedule = { epochs: 10, minSteps: 150, batchSize: 8, lrs: [3e-2], weightDecays: [0] };
  const mae = (p: number[]) => p.reduce((s, v, i) => s + Math.abs(v - test.target[i]), 0) / p.length;
  const meanPredictor = mae(
    test.target.map(() => train.target.reduce((a, b) => a + b) / train.target.length),
  );
  const byPooling: Record<string, number> = {};
  for (const pooling of ["mean", "meanStd"] as const) {
    const { inputs } = standardisedInputs(
      train.set,
      { train: train.set, val: val.set, test: test.set },
      2,
      pooling,
    );
    const runs = await runFrozenProbes({
      task: { type: "regression" },
      ...inputs,
      labels: { train: train.target, val: val.target, test: test.target },
      kinds: ["linear"],
      attentive: { ...schedule, depth: 1, numHeads: 2 },
      linear: schedule,
      seed: 2,
      extra: { again: inputs.test },
    });
    const run = runs.linear!;
    byPooling[pooling] = mae(run.testPredictions);
    // The selected probe's predictions on an extra set are its test predictions when that set is the test split.
    run.predictions!.again.forEach((v, i) => assert.ok(Math.abs(v - run.testPredictions[i]) < 1e-4));
    assert.equal(typeof run.chosen!.valScore, "number");
  }
  assert.ok(byPooling.mean > 0.8 * meanPredictor, `mean pooling: MAE ${byPooling.mean} vs ${meanPredictor}`);
  assert.ok(
    byPooling.meanStd < 0.5 * meanPredictor,
    `statistics pooling: MAE ${byPooling.meanStd} vs ${meanPredictor}`,
  );
});
