import assert from "node:assert/strict";
import { type FeatureSet, standardiseFeatures, timeStatsPoolTokens } from "@echojepa/probe";
import { probeFeatures } from "./features.ts";
import { pooledWidth } from "./probe_spec.ts";

// 2 clips × (2 time slots × 3 places) tokens × 2 channels.
const set: FeatureSet = {
  count: 2,
  tokens: 6,
  dim: 2,
  data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3 + i * 0.1),
};
const standardization = { mean: [0.5, -0.2], std: [2, 4] };

Deno.test("probeFeatures: a saved time pooling is applied after the saved standardisation", () => {
  const timePooling = { kind: "meanStd" as const, timeSlots: 2, places: 3 };
  const got = probeFeatures(set, standardization, timePooling);
  const want = timeStatsPoolTokens(
    standardiseFeatures(set, { mean: Float32Array.from([0.5, -0.2]), std: Float32Array.from([2, 4]) }),
    2,
  );
  assert.deepEqual(Array.from(got.data), Array.from(want.data));
  assert.equal(got.dim, pooledWidth(set.dim, timePooling));
  assert.equal(probeFeatures(set, standardization, null).tokens, 6, "no pooling: the tokens as they are");
});

Deno.test("probeFeatures: a token grid the probe was not trained on is one clear error", () => {
  assert.throws(
    () => probeFeatures(set, null, { kind: "mean", timeSlots: 4, places: 3 }),
    /pools 4 time slots × 3 places; the encoder gives 6 tokens/,
  );
});
