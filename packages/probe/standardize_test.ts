import assert from "node:assert/strict";
import {
  fitChannelStats,
  meanPoolTokens,
  standardiseFeatures,
  timePoolTokens,
  timeStatsPoolTokens,
} from "./standardize.ts";
import type { FeatureSet } from "./features.ts";

// 3 samples × 2 tokens × 2 channels; channel 0 varies, channel 1 is constant.
const set: FeatureSet = {
  count: 3,
  tokens: 2,
  dim: 2,
  data: new Float32Array([1, 5, 3, 5, 5, 5, 7, 5, 100, 5, -100, 5]),
};

Deno.test("fitChannelStats uses only the training samples, over all their tokens", () => {
  const stats = fitChannelStats(set, [0, 1], 0);
  // Channel 0 over tokens 1, 3, 5, 7: mean 4, population variance (9+1+1+9)/4 = 5.
  assert.ok(Math.abs(stats.mean[0] - 4) < 1e-6);
  assert.ok(Math.abs(stats.std[0] - Math.sqrt(5)) < 1e-6);
  assert.equal(stats.mean[1], 5);
  assert.equal(stats.std[1], 0);
});

Deno.test("standardiseFeatures gives zero mean, unit variance on train and maps constant channels to 0", () => {
  const stats = fitChannelStats(set, [0, 1]);
  const z = standardiseFeatures(set, stats);
  const train = [z.data[0], z.data[2], z.data[4], z.data[6]];
  const m = train.reduce((a, b) => a + b, 0) / 4;
  const v = train.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
  assert.ok(Math.abs(m) < 1e-6);
  assert.ok(Math.abs(v - 1) < 1e-5);
  for (let i = 1; i < z.data.length; i += 2) assert.equal(z.data[i], 0);
  // The held-out sample is mapped with train statistics, not its own: (100 − 4)/√5.
  assert.ok(Math.abs(z.data[8] - 96 / Math.sqrt(5 + 1e-6)) < 1e-3);
  assert.throws(() => standardiseFeatures({ ...set, dim: 1 }, stats), RangeError);
});

Deno.test("meanPoolTokens averages tokens per sample", () => {
  const pooled = meanPoolTokens(set);
  assert.deepEqual([pooled.count, pooled.tokens, pooled.dim], [3, 1, 2]);
  assert.deepEqual(Array.from(pooled.data), [2, 5, 6, 5, 0, 5]);
});

Deno.test("timePoolTokens averages over time and keeps the spatial grid; one slot per token is meanPoolTokens", () => {
  // 1 sample, 2 time slots × 2 places × 1 channel: [t0p0, t0p1, t1p0, t1p1].
  const grid: FeatureSet = { count: 1, tokens: 4, dim: 1, data: new Float32Array([1, 10, 3, 30]) };
  const pooled = timePoolTokens(grid, 2);
  assert.deepEqual([pooled.tokens, pooled.dim], [1, 2]);
  assert.deepEqual(Array.from(pooled.data), [2, 20]);
  assert.deepEqual(Array.from(timePoolTokens(set, 2).data), Array.from(meanPoolTokens(set).data));
  assert.throws(() => timePoolTokens(grid, 3), /do not split/);
});

Deno.test("timeStatsPoolTokens: each place's time mean, then its standard deviation over time", () => {
  // 2 samples, 2 time slots × 2 places × 1 channel: [t0p0, t0p1, t1p0, t1p1].
  const grid: FeatureSet = {
    count: 2,
    tokens: 4,
    dim: 1,
    data: new Float32Array([1, 10, 3, 30, 5, 5, 5, 5]),
  };
  const pooled = timeStatsPoolTokens(grid, 2);
  assert.deepEqual([pooled.count, pooled.tokens, pooled.dim], [2, 1, 4]);
  // Place 0 of sample 0 goes 1 → 3 (mean 2, spread 1), place 1 goes 10 → 30 (mean 20, spread 10); sample 1 is still.
  assert.deepEqual(Array.from(pooled.data), [2, 20, 1, 10, 5, 5, 0, 0]);
  assert.throws(() => timeStatsPoolTokens(grid, 3), /do not split/);
});
