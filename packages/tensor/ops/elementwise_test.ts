import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import * as E from "./elementwise.ts";

await init();

const ERF = (x: number): number => {
  // Reference erf by series/continued fraction in f64 (independent of the kernel's approximation).
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = 1 - t * Math.exp(
        -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                          t *
                            (0.27886807 +
                              t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
};

const UNARY_REF: Record<E.UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
  gelu: (x) => 0.5 * x * (1 + ERF(x / Math.SQRT2)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  square: (x) => x * x,
};

const POSITIVE = new Set(["log", "sqrt", "rsqrt"]);

for (const op of Object.keys(UNARY_REF) as E.UnaryOp[]) {
  backendTest(`unary ${op}: forward matches reference and gradient matches finite differences`, async () => {
    const shape = [2, 3];
    const data = randomData(shape, 7, 2).map((
      v,
    ) => (POSITIVE.has(op) ? Math.abs(v) + 0.5 : v === 0 ? 0.3 : v));
    const fn = E[op] as (x: ReturnType<typeof tensor>) => ReturnType<typeof tensor>;
    const out = await fn(tensor(data, shape)).toArray();
    assertClose(out, Array.from(data, UNARY_REF[op]), { atol: 1e-5, rtol: 1e-4, label: op });
    if (op !== "abs" && op !== "relu") await gradCheck(fn, [{ data, shape }]);
  });
}

const BINARY_REF: Record<E.BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: Math.max,
  minimum: Math.min,
};

for (const op of Object.keys(BINARY_REF) as E.BinaryOp[]) {
  backendTest(`binary ${op}: broadcasting forward and gradients of both inputs`, async () => {
    const sa = [2, 3];
    const sb = [3];
    const a = randomData(sa, 1, 2).map((v) => (op === "pow" ? Math.abs(v) + 0.5 : v));
    const b = randomData(sb, 2, 2).map((v) => (op === "div" ? Math.sign(v) * (Math.abs(v) + 0.5) : v));
    const fn = E[op] as (
      x: ReturnType<typeof tensor>,
      y: ReturnType<typeof tensor>,
    ) => ReturnType<typeof tensor>;
    const out = await fn(tensor(a, sa), tensor(b, sb)).toArray();
    const expected = Array.from(a, (v, i) => BINARY_REF[op](v, b[i % 3]));
    assertClose(out, expected, { atol: 1e-5, rtol: 1e-4, label: op });
    await gradCheck(fn, [{ data: a, shape: sa }, { data: b, shape: sb }]);
    const scalarOut = await fn(tensor(a, sa), 0.75 as never).toArray();
    assertClose(scalarOut, Array.from(a, (v) => BINARY_REF[op](v, 0.75)), { label: `${op} scalar` });
  });
}

backendTest("where selects with broadcasting and routes gradients", async () => {
  const cond = tensor([1, 0, 1], [3]);
  const a = randomData([2, 3], 3);
  const b = randomData([2, 3], 4);
  const out = await E.where(cond, tensor(a, [2, 3]), tensor(b, [2, 3])).toArray();
  assertClose(out, Array.from(a, (v, i) => (i % 3 !== 1 ? v : b[i])));
  await gradCheck((x, y) => E.where(cond, x, y), [{ data: a, shape: [2, 3] }, { data: b, shape: [2, 3] }]);
  const filled = await E.where(cond, -1e9, tensor(a, [2, 3])).toArray();
  assert.equal(filled[0], -1e9);
  assert.equal(filled[1], a[1]);
});

backendTest("shape mismatch names the op and the shapes", () => {
  assert.throws(
    () => E.add(tensor([1, 2, 3]), tensor([1, 2])),
    /add: shapes \[3\] and \[2\] do not broadcast/,
  );
});

backendTest("full, arange and cast", async () => {
  assert.deepEqual(Array.from(await E.full([2, 2], 3.5).toArray()), [3.5, 3.5, 3.5, 3.5]);
  assert.deepEqual(Array.from(await E.arange(4).toArray()), [0, 1, 2, 3]);
  const c = E.cast(tensor([1.7, -2.2, 3]), "i32");
  assert.equal(c.dtype, "i32");
  assert.deepEqual(Array.from(await c.toArray()), [1, -2, 3]);
});
