import assert from "node:assert/strict";
import {
  adjustBrightness,
  adjustContrast,
  adjustSharpness,
  autoContrast,
  equalize,
  rotationCoefficients,
  warpAffine,
} from "./image_ops.ts";

const grey = (height: number, width: number) => ({ height, width, channels: 1 });

Deno.test("autoContrast stretches [min, max] to [0, 255]", () => {
  assert.deepEqual(Array.from(autoContrast(Uint8Array.from([50, 100, 150]), grey(1, 3))), [0, 127, 255]);
  assert.deepEqual(Array.from(autoContrast(Uint8Array.from([7, 7]), grey(1, 2))), [7, 7]);
});

Deno.test("equalize spreads a two-level frame to the extremes (PIL rule)", () => {
  // 4 pixels: h[10] = 2, h[200] = 2; step = (4 − 2)/255 → 0 → identity (PIL leaves such images unchanged).
  assert.deepEqual(Array.from(equalize(Uint8Array.from([10, 10, 200, 200]), grey(2, 2))), [10, 10, 200, 200]);
  // 512 pixels, 256 at 10 and 256 at 200: step = 256/255 → 1; lut[10] = 0 // 1 … = 0, lut[200] = 256.
  const frame = new Uint8Array(512).map((_, i) => (i < 256 ? 10 : 200));
  const out = equalize(frame, grey(16, 32));
  assert.equal(out[0], 0);
  assert.equal(out[511], 255);
});

Deno.test("enhancement blends: brightness scales, contrast pulls towards the mean", () => {
  assert.deepEqual(Array.from(adjustBrightness(Uint8Array.from([100, 200]), grey(1, 2), 1.5)), [150, 255]);
  // mean 150: 150 + 0.5·(100 − 150) = 125, 150 + 0.5·50 = 175.
  assert.deepEqual(Array.from(adjustContrast(Uint8Array.from([100, 200]), grey(1, 2), 0.5)), [125, 175]);
  // Sharpness with factor 1 is the identity.
  const f = Uint8Array.from({ length: 25 }, (_, i) => (i * 37) % 256);
  assert.deepEqual(adjustSharpness(f, grey(5, 5), 1), f);
});

Deno.test("warpAffine: integer translation shifts pixels and fills the gap", () => {
  const frame = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 2×3
  // Output x samples input x + 1.
  assert.deepEqual(Array.from(warpAffine(frame, grey(2, 3), [1, 0, 1, 0, 1, 0], 9)), [2, 3, 9, 5, 6, 9]);
  // Identity stays the identity.
  assert.deepEqual(warpAffine(frame, grey(2, 3), [1, 0, 0, 0, 1, 0], 9), frame);
});

Deno.test("rotation by 90° maps the top row onto a side column", () => {
  const frame = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 3×3
  const out = warpAffine(frame, grey(3, 3), rotationCoefficients(grey(3, 3), 90), 0);
  assert.equal(out[4], 5); // the centre stays
  assert.deepEqual(Array.from(out).sort(), Array.from(frame).sort()); // a permutation for a square quarter turn
  assert.notDeepEqual(out, frame);
});
