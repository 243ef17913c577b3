import assert from "node:assert/strict";
import { clipDims, emptyLike, isRowMajor, makeClip, reviveClip, rowMajorData } from "./clip.ts";

/** A 2×3×4×2 clip whose sample at (t, y, x, c) is its row-major index. */
function counting(): ReturnType<typeof makeClip<Uint8Array>> {
  return makeClip(Uint8Array.from({ length: 48 }, (_, i) => i), [2, 3, 4, 2]);
}

Deno.test("makeClip lays samples out frame-major, channel-last", () => {
  const clip = counting();
  assert.deepEqual(clipDims(clip), { frames: 2, height: 3, width: 4, channels: 2 });
  assert.deepEqual(clip.stride, [24, 8, 2, 1]);
  assert.equal(clip.get(1, 2, 3, 1), ((1 * 3 + 2) * 4 + 3) * 2 + 1);
  assert.deepEqual(clipDims(makeClip(new Float32Array(6), [1, 2, 3])).channels, 1);
});

Deno.test("clipDims rejects bad ranks, extents and views reaching past the storage", () => {
  assert.throws(() => makeClip(new Uint8Array(6), [6]), /\[T, H, W\]/);
  assert.throws(() => makeClip(new Uint8Array(6), [1, 0, 6]), /positive integers/);
  assert.throws(() => makeClip(new Uint8Array(5), [1, 2, 3]), /reaches samples 0\.\.5 of a 5-sample/);
  assert.throws(() => makeClip(new Uint8Array(6), [1, 2, 3], [6, 3, 1], 1), /reaches/);
});

Deno.test("frame picks and crops are views; rowMajorData copies only when the view is not contiguous", () => {
  const clip = counting();
  const frame1 = clip.lo(1).hi(1);
  assert.ok(isRowMajor(frame1));
  const samples = rowMajorData(frame1);
  assert.equal(samples.buffer, clip.data.buffer); // a subarray, no copy
  assert.deepEqual([...samples.subarray(0, 3)], [24, 25, 26]);

  const crop = clip.lo(0, 1, 1).hi(2, 2, 2); // rows 1–2, columns 1–2 of both frames
  assert.ok(!isRowMajor(crop));
  const copied = rowMajorData(crop);
  assert.notEqual(copied.buffer, clip.data.buffer);
  const expected: number[] = [];
  for (let t = 0; t < 2; t++) {
    for (let y = 1; y < 3; y++) {
      for (let x = 1; x < 3; x++) for (let c = 0; c < 2; c++) expected.push(clip.get(t, y, x, c));
    }
  }
  assert.deepEqual([...copied], expected);

  const flipped = clip.step(1, 1, -1); // horizontal flip, a negative stride
  assert.equal(rowMajorData(flipped)[0], clip.get(0, 0, 3, 0));
});

Deno.test("a clip sent through structured clone is revived with its view", () => {
  const view = counting().lo(1, 1);
  const revived = reviveClip(structuredClone({ ...view }));
  assert.deepEqual(revived.shape, view.shape);
  assert.deepEqual([...rowMajorData(revived)], [...rowMajorData(view)]);
});

Deno.test("emptyLike keeps the shape and sample type", () => {
  const empty = emptyLike(makeClip(new Float32Array(12), [1, 3, 4]));
  assert.ok(empty.data instanceof Float32Array);
  assert.deepEqual(empty.shape, [1, 3, 4]);
  assert.ok(empty.data.every((v) => v === 0));
});
