import assert from "node:assert/strict";
import { bilinearAxisTaps, resampleToChannelsFirst } from "./resample.ts";
import { makeClip } from "@echojepa/core";

const identity1 = { sourceChannel: [0], scale: [1], offset: [0] };

function row(values: number[], outW: number, start = 0, length = values.length): number[] {
  const clip = makeClip(Float32Array.from(values), [1, 1, values.length]);
  const rows = bilinearAxisTaps(0, 1, 1);
  const cols = bilinearAxisTaps(start, length, outW);
  return Array.from(resampleToChannelsFirst(clip, rows, cols, identity1));
}

Deno.test("bilinear: downscale by 2 samples pixel-pair midpoints (align_corners=False)", () => {
  // src = (dst + 0.5)·2 − 0.5 = 0.5, 2.5 → 5, 25.
  assert.deepEqual(row([0, 10, 20, 30], 2), [5, 25]);
});

Deno.test("bilinear: upscale by 2 clamps at both borders like PyTorch", () => {
  // src = (dst + 0.5)/2 − 0.5 = −0.25→0, 0.25, 0.75, 1.25 (second tap clamped) → 0, 2.5, 7.5, 10.
  assert.deepEqual(row([0, 10], 4), [0, 2.5, 7.5, 10]);
});

Deno.test("bilinear: a crop window only reads inside the window", () => {
  // Window [1, 3) of [100, 0, 10, 200] upscaled to 4 behaves like [0, 10] → 0, 2.5, 7.5, 10.
  assert.deepEqual(row([100, 0, 10, 200], 4, 1, 2), [0, 2.5, 7.5, 10]);
});

Deno.test("bilinear: reversed taps mirror the output", () => {
  const taps = bilinearAxisTaps(0, 4, 2, 0, 2, true);
  assert.deepEqual(Array.from(taps.index0), [2, 0]);
});

Deno.test("bilinear 2-D: hand-computed centre pixel and channels-first layout", () => {
  // 2×2 grey frame upscaled to 4×4; output (1,1) sits at src (0.25, 0.25):
  // 0.75·(0.75·0 + 0.25·40) + 0.25·(0.75·80 + 0.25·120) = 30.
  const clip = makeClip(Uint8Array.from([0, 40, 80, 120]), [1, 2, 2]);
  const taps = bilinearAxisTaps(0, 2, 4);
  const out = resampleToChannelsFirst(clip, taps, taps, {
    sourceChannel: [0, 0, 0],
    scale: [1, 2, 0.5],
    offset: [0, 1, -1],
  });
  assert.equal(out.length, 3 * 16);
  assert.equal(out[1 * 4 + 1], 30);
  assert.equal(out[16 + 1 * 4 + 1], 61);
  assert.equal(out[32 + 1 * 4 + 1], 14);
  assert.equal(out[15], 120); // bottom-right corner clamps to the last pixel
});

Deno.test("bilinear: interleaved RGB channels are separated into planes", () => {
  const data = new Uint8Array(2 * 3 * 3);
  for (let p = 0; p < 6; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = 10 * c + p;
  const clip = makeClip(data, [1, 2, 3, 3]);
  const out = resampleToChannelsFirst(clip, bilinearAxisTaps(0, 2, 2), bilinearAxisTaps(0, 3, 3), {
    sourceChannel: [0, 1, 2],
    scale: [1, 1, 1],
    offset: [0, 0, 0],
  });
  assert.deepEqual(Array.from(out), [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25]);
});

Deno.test("bilinear: bad geometry and wrong output size are reported", () => {
  assert.throws(() => bilinearAxisTaps(0, 0, 4), /bad geometry/);
  const clip = makeClip(new Uint8Array(4), [1, 2, 2]);
  const taps = bilinearAxisTaps(0, 2, 2);
  assert.throws(() => resampleToChannelsFirst(clip, taps, taps, identity1, new Float32Array(3)), /needs 4/);
  assert.throws(
    () => resampleToChannelsFirst(clip.pick(0, 0), taps, taps, identity1), // a rank-1 view is no clip
    /resampleToChannelsFirst: clip shape/,
  );
});
