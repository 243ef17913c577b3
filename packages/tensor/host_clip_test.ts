import assert from "node:assert/strict";
import { makeClip, rowMajorData } from "@echojepa/core";
import { init } from "./backends/registry.ts";
import { tensor } from "./creation.ts";
import { clipToTensor, tensorToClip } from "./host_clip.ts";

await init({ backend: "wasm" });

/** A 2×3×4×3 uint8 clip whose sample at (t, y, x, c) is its row-major index. */
const rgb = makeClip(Uint8Array.from({ length: 72 }, (_, i) => i), [2, 3, 4, 3]);

Deno.test("clipToTensor keeps the clip's shape and values; tensorToClip reads them back", async () => {
  const x = clipToTensor(rgb);
  assert.deepEqual(x.shape, [2, 3, 4, 3]);
  assert.equal(x.dtype, "f32");
  const back = await tensorToClip(x);
  assert.deepEqual([...back.data], [...rgb.data]);
  x.dispose();
});

Deno.test("channelsFirst moves the channel axis: [C, T, H, W] on the device, a [T, H, W, C] view back", async () => {
  const x = clipToTensor(rgb, { channelsFirst: true });
  assert.deepEqual(x.shape, [3, 2, 3, 4]);
  const values = await x.toArray();
  // Element (c, t, y, x) of the tensor is sample (t, y, x, c) of the clip.
  assert.equal(values[((2 * 2 + 1) * 3 + 2) * 4 + 3], rgb.get(1, 2, 3, 2));
  const back = await tensorToClip(x, { channelsFirst: true });
  assert.deepEqual(back.shape, [2, 3, 4, 3]);
  assert.deepEqual([...rowMajorData(back)], [...rgb.data]);
  x.dispose();
});

Deno.test("clipToTensor reads views (a crop, a grey channel) and gives grey clips one channel", async () => {
  const crop = rgb.lo(0, 1, 1).hi(2, 2, 2);
  const x = clipToTensor(crop);
  assert.deepEqual([...await x.toArray()], [...rowMajorData(crop)]);
  const grey = rgb.pick(null, null, null, 1);
  const g = clipToTensor(grey, { channelsFirst: true });
  assert.deepEqual(g.shape, [1, 2, 3, 4]);
  assert.deepEqual([...await g.toArray()], [...rowMajorData(grey)]);
  x.dispose();
  g.dispose();
  const flat = tensor(new Float32Array(6), [2, 3]);
  await assert.rejects(() => tensorToClip(flat), /tensorToClip: clip shape/);
  await assert.rejects(() => tensorToClip(flat, { channelsFirst: true }), /needs a \[C, T, H, W\]/);
  flat.dispose();
});
