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

Deno.test("a phantom stream gives every sample of every step a new clip, the same on every run", async () => {
  const stream = () => phantomSource({ clips: 3, frames: 4, cropSize: 32, seed: 5, stream: true });
  const streamed = { ...config.data, phantomStream: true };
  const steps = await Promise.all([0, 1, 2].map((s) => buildBatch(stream(), streamed, 2, 5, s)));
  assert.deepEqual(steps.map((b) => b.clipIndices), [[0, 1], [2, 3], [4, 5]]);
  assert.deepEqual((await buildBatch(stream(), streamed, 2, 5, 2)).data, steps[2].data);
  // Stream clip k is pool clip k: the same seeded render, only nothing is kept.
  const k = 2;
  assert.deepEqual(
    (await stream().load(k, Random.from(0))).data,
    (await source().load(k, Random.from(0))).data,
  );
  assert.equal(stream().size, Infinity);
  assert.match(stream().description, /fresh synthetic clip every sample/);
  // Workers rebuild the stream from the config.
  const loader = new WorkerBatchLoader(streamed, 2, 5, 1);
  try {
    assert.deepEqual((await loader.get(1)).data, steps[1].data);
  } finally {
    loader.close();
  }
});

Deno.test("the phantom's speckle strength reaches the clips and is validated", async () => {
  const at = (speckleStrength: number) =>
    phantomSource({ clips: 1, frames: 4, cropSize: 32, seed: 5, speckleStrength }).load(0, Random.from(0));
  assert.deepEqual((await at(1)).data, (await source().load(0, Random.from(0))).data);
  assert.notDeepEqual((await at(0)).data, (await at(1)).data);
  assert.match(
    phantomSource({ clips: 1, frames: 4, cropSize: 32, seed: 5, speckleStrength: 2 }).description,
    /speckle ×2/,
  );
  assert.throws(
    () => resolveConfig("micro", { data: { phantomSpeckle: 5 } }),
    /phantomSpeckle must be in \[0, 4\]/,
  );
});

Deno.test("the phantom's nuisance spread reaches the clips and is validated", async () => {
  const at = (nuisance: "full" | "clinical" | "none") =>
    phantomSource({ clips: 1, frames: 4, cropSize: 32, seed: 5, nuisance });
  assert.deepEqual(
    (await at("full").load(0, Random.from(0))).data,
    (await source().load(0, Random.from(0))).data,
  );
  assert.notDeepEqual(
    (await at("clinical").load(0, Random.from(0))).data,
    (await at("full").load(0, Random.from(0))).data,
  );
  assert.match(at("clinical").description, /clinical nuisances/);
  assert.doesNotMatch(at("full").description, /nuisances/);
  assert.equal(resolveConfig("micro", {}).data.phantomNuisance, "full");
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => resolveConfig("micro", { data: { phantomNuisance: "wide" as any } }),
    /phantomNuisance must be one of full, clinical, none/,
  );
});
