import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { max, mean, min, sum, sumToShape, variance } from "./reduce.ts";

await init();

function refReduce(x: Float32Array, shape: number[], axis: number, f: (v: number[]) => number): number[] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const r = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const v: number[] = [];
      for (let k = 0; k < r; k++) v.push(x[(o * r + k) * inner + i]);
      out.push(f(v));
    }
  }
  return out;
}

const REF = {
  sum: (v: number[]) => v.reduce((a, b) => a + b, 0),
  mean: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length,
  max: (v: number[]) => Math.max(...v),
  min: (v: number[]) => Math.min(...v),
  variance: (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
  },
};
const OPS = { sum, mean, max, min, variance };

for (const name of Object.keys(OPS) as (keyof typeof OPS)[]) {
  backendTest(`${name} over each axis matches reference; gradient by finite differences`, async () => {
    const shape = [2, 3, 4];
    const x = randomData(shape, 9);
    for (const axis of [0, 1, 2, -1]) {
      const out = OPS[name](tensor(x, shape), axis);
      const ax = axis < 0 ? axis + 3 : axis;
      assert.deepEqual(out.shape, shape.filter((_, i) => i !== ax));
      assertClose(await out.toArray(), refReduce(x, shape, ax, REF[name]), { label: `${name} axis ${axis}` });
    }
    await gradCheck((t) => OPS[name](t, 1, true), [{ data: x, shape }]);
  });
}

backendTest("long rows use the workgroup reduction and agree with the reference", async () => {
  const x = randomData([3, 1000], 4);
  assertClose(await sum(tensor(x, [3, 1000]), 1).toArray(), refReduce(x, [3, 1000], 1, REF.sum), {
    atol: 1e-3,
  });
  assertClose(await max(tensor(x, [3, 1000]), 1).toArray(), refReduce(x, [3, 1000], 1, REF.max));
});

backendTest("sumToShape reduces broadcast axes", async () => {
  const x = randomData([2, 3, 4], 5);
  const r = sumToShape(tensor(x, [2, 3, 4]), [3, 1]);
  assert.deepEqual(r.shape, [3, 1]);
  const e = [0, 0, 0];
  x.forEach((v, i) => (e[Math.floor(i / 4) % 3] += v));
  assertClose(await r.toArray(), e, { atol: 1e-5 });
});

backendTest("reduce over a bad axis names the op", () => {
  assert.throws(() => sum(tensor([1, 2]), 3), /sum: axis 3 out of range/);
});
