import assert from "node:assert/strict";
import { Random } from "@echojepa/core";
import { resolveConfig } from "./config.ts";
import { BatchLoader, buildBatch, phantomSource, WorkerBatchLoader } from "./data.ts";

const config = resolveConfig("micro", { data: { frames: 4, cropSize: 32, phantomClips: 3 } });
const source = () => phantomSource({ clips: 3, frames: 4, cropSize: 32, seed: 5 });

Deno.test("batches are [B, 3, T, H, W], deterministic in (seed, step), and differ between steps", async () => {
  const a = await buildBatch(source(), config.data, 2, 5, 7);
  const b = await buildBatch(source(), config.data, 2, 5, 7);
  assert.deepEqual(a.shape, [2, 3, 4, 32, 32]);
  assert.deepEqual(a.data, b.data);
  const c = await buildBatch(source(), config.data, 2, 5, 8);
  assert.notDeepEqual(a.data, c.data);
  const loader = new BatchLoader(source(), config.data, 2, 5);
  assert.deepEqual((await loader.get(7)).data, a.data);
});

Deno.test("worker-built batches equal main-thread batches", async () => {
  const loader = new WorkerBatchLoader(config.data, 2, 5, 1);
  try {
    for (const step of [0, 1]) {
      const expected = await buildBatch(source(), config.data, 2, 5, step);
      const got = await loader.get(step);
      assert.deepEqual(got.shape, expected.shape);
      assert.deepEqual(got.data, expected.data);
    }
  } finally {
    loader.close();
  }
});

Deno.test("a fixed phantom frame rate changes the clips, shows in the description, and must be positive", async () => {
  const slow = await phantomSource({ clips: 1, frames: 4, cropSize: 32, seed: 5, fps: 12 }).load(
    0,
    Random.from(1),
  );
  const fast = await phantomSource({ clips: 1, frames: 4, cropSize: 32, seed: 5, fps: 60 }).load(
    0,
    Random.from(1),
  );
  assert.notDeepEqual(slow.data, fast.data);
  assert.match(
    phantomSource({ clips: 1, frames: 4, cropSize: 32, seed: 5, fps: 12 }).description,
    /at 12 fps/,
  );
  assert.throws(
    () => resolveConfig("micro", { data: { phantomFps: 0 } }),
    /phantomFps must be null or a positive/,
  );
});
