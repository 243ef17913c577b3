import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { linear, matmul } from "./matmul.ts";

await init();

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
    backendTest(
      `matmul ${tag} ${m}×${k}×${n} (${path}): batched, shared, bias forward match the reference`,
      async ({ matchesReference }) => {
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
        const [batched] = await matchesReference(() => [
          matmul(tensor(a, aShape), tensor(b, bShape), opts),
          matmul(tensor(a, aShape), tensor(b2, b2Shape), opts),
          matmul(tensor(a2, a2Shape), tensor(b, bShape), opts),
          matmul(tensor(a, aShape), tensor(b2, b2Shape), { ...opts, bias: tensor(bias) }),
        ]);
        // One element by hand, so the reference itself is checked too.
        const at = (i: number, q: number) => a[transA ? q * m + i : i * k + q];
        const bt = (q: number, j: number) => b[transB ? j * k + q : q * n + j];
        let dot = 0;
        for (let q = 0; q < k; q++) dot += at(m - 1, q) * bt(q, n - 1);
        assertClose([batched[(m - 1) * n + n - 1]], [dot], { label: "last element of batch 0" });
      },
    );
  }

  backendTest(`matmul ${tag}: gradients of a, b and bias (vec4 and scalar paths, shared b)`, async () => {
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

  backendTest(`matmul ${tag}: gradients with equal batches and with a shared a`, async () => {
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

backendTest("linear: x·Wᵀ + b in PyTorch layout, for 1-D and batched inputs, with gradients", async (ctx) => {
  const x = randomData([2, 3, 4], 13);
  const w = randomData([5, 4], 14);
  const bias = randomData([5], 15);
  await ctx.matchesReference(() => linear(tensor(x, [2, 3, 4]), tensor(w, [5, 4]), tensor(bias)));
  const row = linear(tensor(x.slice(0, 4), [4]), tensor(w, [5, 4]));
  assert.deepEqual(row.shape, [5]);
  const expected = Array.from(
    { length: 5 },
    (_, j) => x.slice(0, 4).reduce((s, v, q) => s + v * w[j * 4 + q], 0),
  );
  assertClose(await row.toArray(), expected);
  await gradCheck((xt, wt, bt) => linear(xt, wt, bt), [
    { data: x.slice(0, 4), shape: [4] },
    { data: w, shape: [5, 4] },
    { data: bias, shape: [5] },
  ]);
});

backendTest("matmul: an empty contraction writes zeros (or the bias)", async () => {
  const out = await matmul(tensor(new Float32Array(0), [2, 0]), tensor(new Float32Array(0), [0, 3]), {
    bias: tensor([1, 2, 3]),
  }).toArray();
  assert.deepEqual(Array.from(out), [1, 2, 3, 1, 2, 3]);
});

backendTest("matmul: bad shapes name the op and the shapes", () => {
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
