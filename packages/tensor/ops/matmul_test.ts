import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { shapeSize } from "../tensor.ts";
import { assertClose, gradCheck, randomData } from "../testing.ts";
import { linear, matmul } from "./matmul.ts";

await init();

/** Plain-TypeScript batched product with the same shape rules as `matmul`. */
function reference(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  transA: boolean,
  transB: boolean,
  bias?: Float32Array,
): Float32Array {
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = bShape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const n = transB ? br : bc;
  const batches = Math.max(shapeSize(aShape.slice(0, -2)), shapeSize(bShape.slice(0, -2)));
  const aStride = aShape.length > 2 ? m * k : 0;
  const bStride = bShape.length > 2 ? k * n : 0;
  const out = new Float32Array(batches * m * n);
  for (let t = 0; t < batches; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = bias ? bias[j] : 0;
        for (let q = 0; q < k; q++) {
          const av = a[t * aStride + (transA ? q * m + i : i * k + q)];
          const bv = b[t * bStride + (transB ? j * k + q : q * n + j)];
          s += av * bv;
        }
        out[(t * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

/** Stored shape of an operand given its logical rows × cols and transpose flag. */
function stored(batch: number[], rows: number, cols: number, trans: boolean): number[] {
  return [...batch, ...(trans ? [cols, rows] : [rows, cols])];
}

const FLAGS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

for (const [transA, transB] of FLAGS) {
  const tag = `${transA ? "T" : "N"}${transB ? "T" : "N"}`;
  for (
    const [m, k, n, path] of [[8, 12, 16, "vec4"], [3, 5, 7, "scalar"], [
      20,
      8,
      36,
      "vec4 edge tiles",
    ]] as const
  ) {
    Deno.test(`matmul ${tag} ${m}×${k}×${n} (${path}): batched, shared, bias forward match the reference`, async () => {
      const aShape = stored([2], m, k, transA);
      const bShape = stored([2], k, n, transB);
      const b2Shape = stored([], k, n, transB);
      const a2Shape = stored([], m, k, transA);
      const a = randomData(aShape, 1);
      const b = randomData(bShape, 2);
      const b2 = randomData(b2Shape, 3);
      const a2 = randomData(a2Shape, 4);
      const bias = randomData([n], 5);
      const opts = { transA, transB };
      const [batched, sharedB, sharedA, withBias] = await Promise.all([
        matmul(tensor(a, aShape), tensor(b, bShape), opts).toArray(),
        matmul(tensor(a, aShape), tensor(b2, b2Shape), opts).toArray(),
        matmul(tensor(a2, a2Shape), tensor(b, bShape), opts).toArray(),
        matmul(tensor(a, aShape), tensor(b2, b2Shape), { ...opts, bias: tensor(bias) }).toArray(),
      ]);
      assertClose(batched, reference(a, aShape, b, bShape, transA, transB), { label: "batched" });
      assertClose(sharedB, reference(a, aShape, b2, b2Shape, transA, transB), { label: "shared b" });
      assertClose(sharedA, reference(a2, a2Shape, b, bShape, transA, transB), { label: "shared a" });
      assertClose(withBias, reference(a, aShape, b2, b2Shape, transA, transB, bias), { label: "bias" });
    });
  }

  Deno.test(`matmul ${tag}: gradients of a, b and bias (vec4 and scalar paths, shared b)`, async () => {
    for (const [m, k, n] of [[4, 8, 4], [3, 5, 2]]) {
      const aShape = stored([2], m, k, transA);
      const bShape = stored([], k, n, transB);
      await gradCheck(
        (x, w, c) => matmul(x, w, { transA, transB, bias: c }),
        [
          { data: randomData(aShape, 6), shape: aShape },
          { data: randomData(bShape, 7), shape: bShape },
          { data: randomData([n], 8), shape: [n] },
        ],
      );
    }
  });

  Deno.test(`matmul ${tag}: gradients with equal batches and with a shared a`, async () => {
    const [m, k, n] = [4, 4, 8];
    const aShape = stored([2], m, k, transA);
    const bShape = stored([2], k, n, transB);
    await gradCheck((x, w) => matmul(x, w, { transA, transB }), [
      { data: randomData(aShape, 9), shape: aShape },
      { data: randomData(bShape, 10), shape: bShape },
    ]);
    const a2Shape = stored([], 3, 2, transA);
    const b3Shape = stored([2], 2, 3, transB);
    await gradCheck((x, w) => matmul(x, w, { transA, transB }), [
      { data: randomData(a2Shape, 11), shape: a2Shape },
      { data: randomData(b3Shape, 12), shape: b3Shape },
    ]);
  });
}

Deno.test("linear: x·Wᵀ + b in PyTorch layout, for 1-D and batched inputs, with gradients", async () => {
  const x = randomData([2, 3, 4], 13);
  const w = randomData([5, 4], 14);
  const bias = randomData([5], 15);
  const out = await linear(tensor(x, [2, 3, 4]), tensor(w, [5, 4]), tensor(bias)).toArray();
  assertClose(out, reference(x, [2, 3, 4], w, [5, 4], false, true, bias));
  const row = linear(tensor(x.slice(0, 4), [4]), tensor(w, [5, 4]));
  assert.deepEqual(row.shape, [5]);
  assertClose(await row.toArray(), reference(x.slice(0, 4), [1, 4], w, [5, 4], false, true));
  await gradCheck((xt, wt, bt) => linear(xt, wt, bt), [
    { data: x.slice(0, 4), shape: [4] },
    { data: w, shape: [5, 4] },
    { data: bias, shape: [5] },
  ]);
});

Deno.test("matmul: an empty contraction writes zeros (or the bias)", async () => {
  const out = await matmul(tensor(new Float32Array(0), [2, 0]), tensor(new Float32Array(0), [0, 3]), {
    bias: tensor([1, 2, 3]),
  }).toArray();
  assert.deepEqual(Array.from(out), [1, 2, 3, 1, 2, 3]);
});

Deno.test("matmul: bad shapes name the op and the shapes", () => {
  const a = tensor(new Float32Array(6), [2, 3]);
  assert.throws(
    () => matmul(a, tensor(new Float32Array(8), [4, 2])),
    /matmul: inner dimensions differ \(3 vs 4\) for a \[2,3\] and b \[4,2\]/,
  );
  assert.throws(
    () => matmul(tensor(new Float32Array(12), [2, 2, 3]), tensor(new Float32Array(18), [3, 3, 2])),
    /matmul: batch dimensions \[2\] and \[3\]/,
  );
  assert.throws(
    () => matmul(a, tensor(new Float32Array(6), [3, 2]), { bias: tensor([1, 2, 3]) }),
    /bias must have shape \[2\]/,
  );
  assert.throws(() => matmul(tensor([1, 2, 3]), a), /rank ≥ 2/);
  assert.throws(
    () => linear(a, tensor(new Float32Array(8), [2, 4])),
    /linear: input \[2,3\] does not end in weight's in-features 4/,
  );
});
