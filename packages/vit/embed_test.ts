import assert from "node:assert/strict";
import { init, isGradEnabled, mean, noGrad, tensor, tidy } from "@echojepa/tensor";
import { assertClose, randomData } from "@echojepa/tensor/testing";
import { vitConfig } from "./config.ts";
import { embedClips } from "./embed.ts";
import { VisionTransformer } from "./vision_transformer.ts";

await init();

const SHAPE = [3, 3, 4, 32, 32];

Deno.test("embedClips: batched mean-pooled and token features equal one full forward, without a tape", async () => {
  const model = new VisionTransformer(vitConfig({ embedDim: 24, depth: 2, numHeads: 2 }), { seed: 2 });
  const video = randomData(SHAPE, 3);
  const clips = tensor(video, SHAPE);
  const expectedTokens = await tidy(() => noGrad(() => model.forward(clips)).toArray());
  const expectedMean = await tidy(() => noGrad(() => mean(model.forward(clips), 1)).toArray());
  const progress: number[] = [];
  const pooled = await embedClips(model, clips, { batchSize: 2, onProgress: (done) => progress.push(done) });
  assert.deepEqual(pooled.shape, [3, 24]);
  assert.equal(pooled.requiresGrad, false);
  assert.deepEqual(progress, [2, 3]);
  assertClose(await pooled.toArray(), expectedMean, { atol: 1e-5, label: "mean" });
  const host = Array.from(
    { length: 3 },
    (_, i) => video.slice(i * 3 * 4 * 32 * 32, (i + 1) * 3 * 4 * 32 * 32),
  );
  const tokens = await embedClips(model, host, { pooling: "tokens", clipShape: [3, 4, 32, 32] });
  assert.deepEqual(tokens.shape, [3, 8, 24]);
  assertClose(await tokens.toArray(), expectedTokens, { atol: 1e-5, label: "tokens" });
  const multi = await embedClips(model, clips, { layers: [0, 1] });
  assert.deepEqual(multi.shape, [3, 48]);
  assert.ok(isGradEnabled());
  const one = await embedClips(model, tensor(video.slice(0, 3 * 4 * 32 * 32), [3, 4, 32, 32]));
  assert.deepEqual(one.shape, [1, 24]);
  assertClose(await one.toArray(), expectedMean.slice(0, 24), { atol: 1e-5, label: "one clip" });
  one.dispose();
  await assert.rejects(() => embedClips(model, host, {}), /clipShape/);
  for (const t of [clips, pooled, tokens, multi]) t.dispose();
  model.dispose();
});
