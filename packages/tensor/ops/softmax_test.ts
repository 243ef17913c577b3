import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { shapeSize, stridesOf } from "../tensor.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { logSoftmax, softmax } from "./softmax.ts";

await init();

const CASES: { shape: number[]; axis: number }[] = [
  { shape: [3, 5], axis: -1 },
  { shape: [2, 3, 4], axis: 1 },
  { shape: [4, 3], axis: 0 },
  { shape: [2, 300], axis: -1 }, // long rows, few of them: the workgroup-per-row kernel
];

for (const [name, fn, log] of [["softmax", softmax, false], ["logSoftmax", logSoftmax, true]] as const) {
  for (const { shape, axis } of CASES) {
    backendTest(`${name} over axis ${axis} of [${shape}] matches the reference`, async (ctx) => {
      const data = randomData(shape, shapeSize(shape), 4);
      const [out] = await ctx.matchesReference(() => fn(tensor(data, shape), axis), {
        label: `${name} [${shape}] axis ${axis}`,
      });
      // Probabilities along the axis sum to one (exp of log-probabilities for logSoftmax).
      const ax = axis < 0 ? axis + shape.length : axis;
      const stride = stridesOf(shape)[ax];
      let total = 0;
      for (let c = 0; c < shape[ax]; c++) total += log ? Math.exp(out[c * stride]) : out[c * stride];
      assertClose([total], [1], { label: `${name} first line sums to 1` });
    });
  }

  backendTest(`${name} gradient matches finite differences (last axis and inner axis)`, async () => {
    await gradCheck((x) => fn(x), [{ data: randomData([2, 4], 11, 2), shape: [2, 4] }]);
    await gradCheck((x) => fn(x, 1), [{ data: randomData([2, 3, 2], 12, 2), shape: [2, 3, 2] }]);
  });

  backendTest(`${name} gradient on long rows (workgroup kernel) matches finite differences`, async () => {
    await gradCheck((x) => fn(x), [{ data: randomData([1, 260], 13, 2), shape: [1, 260] }], {
      atol: 1e-3,
    });
  });

  backendTest(`${name} is stable for huge logits`, async () => {
    const data = new Float32Array([1000, 1001, 1002, -1000]);
    const out = await fn(tensor(data, [1, 4])).toArray();
    assert.ok(Array.from(out).every(Number.isFinite), `non-finite output ${out}`);
    // Shifting by the max leaves [0, 1, 2, −2000]: the row is exactly computable in f64.
    const shifted = [-2, -1, 0, -2002];
    const lse = Math.log(shifted.reduce((s, v) => s + Math.exp(v), 0));
    const expected = shifted.map((v) => (log ? v - lse : Math.exp(v - lse)));
    assertClose(out, expected, { label: `${name} huge logits` });
  });
}

backendTest("softmax rejects a bad axis and integer input with the op's name", () => {
  assert.throws(() => softmax(tensor([1, 2, 3]), 1), /softmax: axis 1 out of range for shape \[3\]/);
  assert.throws(() => logSoftmax(tensor([1, 2], [2], "i32")), /logSoftmax: expected f32 tensor, got i32/);
});
