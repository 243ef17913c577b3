import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { type Shape, shapeSize, stridesOf } from "../tensor.ts";
import { assertClose, gradCheck, randomData } from "../testing.ts";
import { logSoftmax, softmax } from "./softmax.ts";

await init();

/** Plain-TypeScript softmax / log-softmax along `axis` of a row-major array, in f64. */
function reference(data: Float32Array, shape: Shape, axis: number, log: boolean): Float64Array {
  const out = new Float64Array(data.length);
  const n = shape[axis];
  const stride = stridesOf(shape)[axis];
  for (let start = 0; start < data.length; start++) {
    // `start` begins a line along `axis` when its coordinate on that axis is 0.
    if (Math.floor(start / stride) % n !== 0) continue;
    let m = -Infinity;
    for (let c = 0; c < n; c++) m = Math.max(m, data[start + c * stride]);
    let s = 0;
    for (let c = 0; c < n; c++) s += Math.exp(data[start + c * stride] - m);
    for (let c = 0; c < n; c++) {
      const x = data[start + c * stride];
      out[start + c * stride] = log ? x - m - Math.log(s) : Math.exp(x - m) / s;
    }
  }
  return out;
}

const CASES: { shape: number[]; axis: number }[] = [
  { shape: [3, 5], axis: -1 },
  { shape: [2, 3, 4], axis: 1 },
  { shape: [4, 3], axis: 0 },
  { shape: [2, 300], axis: -1 }, // long rows, few of them: the workgroup-per-row kernel
];

for (const [name, fn, log] of [["softmax", softmax, false], ["logSoftmax", logSoftmax, true]] as const) {
  for (const { shape, axis } of CASES) {
    Deno.test(`${name} over axis ${axis} of [${shape}] matches the reference`, async () => {
      const data = randomData(shape, shapeSize(shape), 4);
      const out = await fn(tensor(data, shape), axis).toArray();
      assertClose(out, reference(data, shape, axis < 0 ? axis + shape.length : axis, log), {
        label: `${name} [${shape}] axis ${axis}`,
      });
    });
  }

  Deno.test(`${name} gradient matches finite differences (last axis and inner axis)`, async () => {
    await gradCheck((x) => fn(x), [{ data: randomData([2, 4], 11, 2), shape: [2, 4] }]);
    await gradCheck((x) => fn(x, 1), [{ data: randomData([2, 3, 2], 12, 2), shape: [2, 3, 2] }]);
  });

  Deno.test(`${name} gradient on long rows (workgroup kernel) matches finite differences`, async () => {
    await gradCheck((x) => fn(x), [{ data: randomData([1, 260], 13, 2), shape: [1, 260] }], {
      atol: 1e-3,
    });
  });

  Deno.test(`${name} is stable for huge logits`, async () => {
    const data = new Float32Array([1000, 1001, 1002, -1000]);
    const out = await fn(tensor(data, [1, 4])).toArray();
    assert.ok(Array.from(out).every(Number.isFinite), `non-finite output ${out}`);
    assertClose(out, reference(data, [1, 4], 1, log), { label: `${name} huge logits` });
  });
}

Deno.test("softmax rejects a bad axis and integer input with the op's name", () => {
  assert.throws(() => softmax(tensor([1, 2, 3]), 1), /softmax: axis 1 out of range for shape \[3\]/);
  assert.throws(() => logSoftmax(tensor([1, 2], [2], "i32")), /logSoftmax: expected f32 tensor, got i32/);
});
