import assert from "node:assert/strict";
import { init, type Tensor, tensor } from "@echojepa/tensor";
import { Random } from "@echojepa/core";
import { LinearProbe, maskedMeanPool } from "./linear_probe.ts";
import { type ProbeBatch, trainProbes } from "./train.ts";

await init();

const N = 4;
const D = 8;

/** Tokens whose mean encodes the label (classification) or the target (regression), plus noise. */
function makeFeatures(count: number, seed: number, f: (i: number) => number[]): Float32Array {
  const r = new Random(seed);
  const data = new Float32Array(count * N * D);
  for (let i = 0; i < count; i++) {
    const signal = f(i);
    for (let t = 0; t < N; t++) {
      for (let d = 0; d < D; d++) data[(i * N + t) * D + d] = (signal[d] ?? 0) + 0.3 * r.normal();
    }
  }
  return data;
}

function batcher(sets: Record<string, Float32Array>) {
  return (split: string, idx: number[]): ProbeBatch => {
    const src = sets[split];
    const data = new Float32Array(idx.length * N * D);
    idx.forEach((s, j) => data.set(src.subarray(s * N * D, (s + 1) * N * D), j * N * D));
    return { x: tensor(data, [idx.length, N, D]), mask: null };
  };
}

Deno.test("the grid protocol trains linear probes to separate classes and reports test metrics", async () => {
  const lab = (n: number, s: number) => Array.from({ length: n }, (_, i) => (i * 7 + s) % 3);
  const labels = { train: lab(36, 0), val: lab(12, 1), test: lab(12, 2) };
  const feats = Object.fromEntries(
    (["train", "val", "test"] as const).map((
      sp,
      k,
    ) => [
      sp,
      makeFeatures(
        labels[sp].length,
        k + 1,
        // One signal dimension per class, so the control is separable whatever the noise draw.
        (i) => [0, 1, 2].map((c) => (labels[sp][i] === c ? 2 : 0)),
      ),
    ]),
  );
  const seen: number[][] = [];
  const result = await trainProbes({
    task: { type: "classification", numClasses: 3 },
    makeProbe: () => new LinearProbe({ dim: D, outputs: 3, kind: "classifier" }),
    apply: (p, b) => p.forward(b.x, b.mask),
    makeBatch: batcher(feats),
    labels,
    lrs: [3e-2, 1e-2],
    weightDecays: [0.01],
    epochs: 6,
    batchSize: 12,
    onEpoch: (_e, scores) => seen.push(scores),
  });
  assert.equal(seen.length, 6);
  assert.equal(seen[0].length, 2, "one score per head");
  assert.ok(
    "accuracy" in result.test && result.test.accuracy > 0.8,
    `test accuracy ${JSON.stringify(result.test)}`,
  );
  assert.ok(result.lossHistory[5] < result.lossHistory[0]);
  assert.ok([3e-2, 1e-2].includes(result.best.lr));
});

Deno.test("regression probes z-score with training statistics and report MAE in original units", async () => {
  const target = (n: number, s: number) =>
    Array.from({ length: n }, (_, i) => 40 + 25 * Math.sin(i * 1.3 + s));
  const labels = { train: target(40, 0), val: target(10, 1), test: target(10, 2) };
  const feats = Object.fromEntries(
    (["train", "val", "test"] as const).map((
      sp,
      k,
    ) => [sp, makeFeatures(labels[sp].length, k + 5, (i) => [(labels[sp][i] - 40) / 25])]),
  );
  const result = await trainProbes({
    task: { type: "regression" },
    makeProbe: () => new LinearProbe({ dim: D, outputs: 1, kind: "regressor" }),
    apply: (p, b) => p.forward(b.x, b.mask),
    makeBatch: batcher(feats),
    labels,
    lrs: [3e-2],
    weightDecays: [0.01],
    epochs: 15,
    batchSize: 10,
  });
  const mean = labels.train.reduce((a, b) => a + b, 0) / 40;
  assert.ok(Math.abs(result.scaler!.mean - mean) < 1e-9, "scaler fitted on train only");
  assert.ok("mae" in result.test && result.test.mae < 10, `test MAE ${JSON.stringify(result.test)}`);
  assert.equal(result.testPredictions.length, 10);
});

Deno.test("masked mean-pool ignores masked tokens", async () => {
  const x = tensor([1, 2, 3, 4, 100, 200], [1, 3, 2]);
  const pooled = await maskedMeanPool(x, tensor([1, 1, 0], [1, 3]) as Tensor).toArray();
  assert.deepEqual(Array.from(pooled), [2, 3]);
});

Deno.test("minSteps repeats passes over a small training split to reach the step budget", async () => {
  const labels = { train: [0, 1, 0, 1, 0, 1], val: [0, 1], test: [1, 0] };
  const feats = Object.fromEntries(
    (["train", "val", "test"] as const).map((sp, k) => [
      sp,
      makeFeatures(labels[sp].length, k + 9, (i) => [labels[sp][i] ? 2 : -2]),
    ]),
  );
  const make = batcher(feats);
  const seen = new Map<number, number>();
  let steps = 0;
  await trainProbes({
    task: { type: "classification", numClasses: 2 },
    makeProbe: () => new LinearProbe({ dim: D, outputs: 2, kind: "classifier" }),
    apply: (p, b) => p.forward(b.x, b.mask),
    makeBatch: (split, idx) => {
      if (split === "train") {
        steps++;
        idx.forEach((i) => seen.set(i, (seen.get(i) ?? 0) + 1));
      }
      return make(split, idx);
    },
    labels,
    lrs: [1e-2],
    weightDecays: [0],
    epochs: 2,
    minSteps: 9,
    batchSize: 4,
  });
  // 2 steps per pass; 9 steps over 2 epochs need 3 passes per epoch: 12 steps, each sample seen 6 times.
  assert.equal(steps, 12);
  assert.deepEqual([...seen.values()], [6, 6, 6, 6, 6, 6]);
});
