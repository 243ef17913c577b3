import assert from "node:assert/strict";
import { init } from "@echojepa/tensor";
import { VisionTransformer, vitConfig } from "@echojepa/vit";
import {
  cachedFeatures,
  concatFeatureSets,
  extractFeatures,
  gatherFeatures,
  tokenBatch,
} from "./features.ts";

await init();

Deno.test("extractFeatures concatenates segment tokens; the disk cache round-trips and is keyed", async () => {
  const config = vitConfig({ embedDim: 16, depth: 1, numHeads: 2 });
  const encoder = new VisionTransformer(config);
  const shape: [number, number, number, number] = [3, 2, 16, 16];
  const clips = Array.from(
    { length: 4 },
    (_, i) => Float32Array.from({ length: 3 * 2 * 16 * 16 }, (_, j) => Math.sin(i + j * 0.01)),
  );
  const set = await extractFeatures(encoder, clips, shape, { segments: 2, batchSize: 3 });
  assert.deepEqual([set.count, set.tokens, set.dim], [2, 2, 16]);
  const pooled = await extractFeatures(encoder, clips, shape, { pooling: "mean" });
  assert.deepEqual([pooled.count, pooled.tokens], [4, 1]);
  const dir = await Deno.makeTempDir();
  let computed = 0;
  const compute = () => (computed++, Promise.resolve(set));
  const a = await cachedFeatures(`${dir}/f`, "k1", compute);
  const b = await cachedFeatures(`${dir}/f`, "k1", compute);
  assert.equal(computed, 1);
  assert.deepEqual(Array.from(b.data), Array.from(a.data));
  await cachedFeatures(`${dir}/f`, "k2", compute);
  assert.equal(computed, 2, "a new key recomputes");
  assert.deepEqual(Array.from(gatherFeatures(set, [1])), Array.from(set.data.subarray(32, 64)));
  await Deno.remove(dir, { recursive: true });
  encoder.dispose();
});

Deno.test("tokenBatch gathers samples as [B, tokens, dim]; concatFeatureSets appends samples", async () => {
  const a = { count: 2, tokens: 2, dim: 3, data: Float32Array.from({ length: 12 }, (_, i) => i) };
  const b = { count: 1, tokens: 2, dim: 3, data: Float32Array.from({ length: 6 }, (_, i) => 100 + i) };
  const all = concatFeatureSets([a, b]);
  assert.deepEqual([all.count, all.tokens, all.dim], [3, 2, 3]);
  assert.deepEqual(Array.from(all.data.subarray(12)), Array.from(b.data));
  const x = tokenBatch(all, [2, 0]);
  assert.deepEqual(x.shape, [2, 2, 3]);
  assert.deepEqual(Array.from(await x.toArray()), [...b.data, ...a.data.subarray(0, 6)]);
  x.dispose();
  assert.throws(() => concatFeatureSets([a, { ...b, dim: 4, data: new Float32Array(8) }]), /2×4 beside 2×3/);
});
