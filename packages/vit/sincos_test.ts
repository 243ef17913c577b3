import assert from "node:assert/strict";
import { assertClose } from "@echojepa/tensor/testing";
import { resizePositionTable, sincos1d, sincos3d } from "./sincos.ts";

Deno.test("sincos1d: first half sin, second half cos, ω_i = 10000^(−i/(dim/2))", () => {
  const e = sincos1d(4, [0, 3]);
  assertClose(e, [0, 0, 1, 1, Math.sin(3), Math.sin(3 / 100), Math.cos(3), Math.cos(3 / 100)], {
    atol: 1e-12,
  });
});

Deno.test("sincos3d: [time | height | width] parts per token in raster order, truncated to D", () => {
  const grid = { t: 2, h: 2, w: 3 };
  // uniform power, D = 10: each part 2·ceil(10/6) = 4 dims, 12 in all, truncated to 10.
  const table = sincos3d(10, grid, true);
  assert.equal(table.length, 12 * 10);
  const id = 1 * 6 + 1 * 3 + 2; // t=1, row=1, col=2
  const row = Array.from(table.subarray(id * 10, id * 10 + 10));
  const expected = [...sincos1d(4, [1]), ...sincos1d(4, [1]), ...sincos1d(4, [2]).slice(0, 2)];
  assertClose(row, expected, { atol: 1e-6 });
  // Without uniform power: time D/2, height and width D/4.
  const plain = sincos3d(16, grid, false);
  const row2 = Array.from(plain.subarray(id * 16, id * 16 + 16));
  assertClose(row2, [...sincos1d(8, [1]), ...sincos1d(4, [1]), ...sincos1d(4, [2])], { atol: 1e-6 });
});

Deno.test("resizePositionTable: identity, temporal truncation, and trilinear align_corners=False", () => {
  const from = { t: 2, h: 2, w: 2 };
  const table = Float32Array.from({ length: 8 }, (_, i) => i); // dim 1: value = raster index
  assert.equal(resizePositionTable(table, 1, from, from), table);
  assert.deepEqual(Array.from(resizePositionTable(table, 1, from, { t: 1, h: 2, w: 2 })), [0, 1, 2, 3]);
  // Upsampling width 2 → 4: source coordinates (i + 0.5)/2 − 0.5 = −0.25→0, 0.25, 0.75, 1.25→clamped hi.
  const wide = resizePositionTable(table, 1, from, { t: 2, h: 2, w: 4 });
  assertClose(Array.from(wide.subarray(0, 4)), [0, 0.25, 0.75, 1], { atol: 1e-6 });
  // Downsampling everything 2 → 1 averages the 8 corners (source coordinate 0.5 on each axis).
  assertClose(resizePositionTable(table, 1, from, { t: 1, h: 1, w: 1 }), [3.5], { atol: 1e-6 });
  assert.throws(() => resizePositionTable(table, 2, from, from), /not \[8, 2\]/);
});
