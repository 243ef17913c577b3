import assert from "node:assert/strict";
import { init } from "@echojepa/tensor";
import { VisionTransformer, vitConfig } from "@echojepa/vit";
import { cachedFeatures, extractFeatures, gatherFeatures } from "./features.ts";

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
