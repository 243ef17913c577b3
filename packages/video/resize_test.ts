import assert from "node:assert/strict";
import { makeClip } from "@echojepa/core";
import { resizeStack } from "./resize.ts";

Deno.test("resizeStack keeps flat images flat and averages when shrinking", () => {
  const flat = makeClip(new Uint8Array(2 * 30 * 40).fill(77), [2, 30, 40]);
  const small = resizeStack(flat, 10, 8);
  assert.deepEqual(small.shape, [2, 8, 10]);
  assert.ok(small.data.every((v) => v === 77));
  // A one-pixel checkerboard shrunk 4x averages to mid-grey instead of aliasing to black or white.
  const checker = Uint8Array.from(
    { length: 32 * 32 },
    (_, i) => ((i % 32) + Math.floor(i / 32)) % 2 ? 255 : 0,
  );
  const shrunk = resizeStack(makeClip(checker, [1, 32, 32]), 8, 8);
  for (const v of shrunk.data.subarray(9, 15)) assert.ok(Math.abs(v - 127.5) < 20, `value ${v}`);
});

Deno.test("resizeStack upscales RGB with bilinear interpolation between pixel centres", () => {
  // Two pixels, black and white, become a ramp.
  const rgb = makeClip(Uint8Array.from([0, 0, 0, 255, 255, 255]), [1, 1, 2, 3]);
  const wide = resizeStack(rgb, 4, 1);
  const reds = [0, 1, 2, 3].map((x) => wide.data[x * 3]);
  assert.deepEqual(reds, [0, 64, 191, 255]);
});
