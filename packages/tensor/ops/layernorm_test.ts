import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { layerNorm } from "./layernorm.ts";

await init();

/** Row means and (biased) variances of a `[rows, d]` array. */
function rowMoments(y: ArrayLike<number>, d: number): { mean: number[]; variance: number[] } {
  const mean: number[] = [];
  const variance: number[] = [];
  for (let r = 0; r < y.length / d; r++) {
    const row = Array.from(y).slice(r * d, (r + 1) * d);
    const m = row.reduce((s, v) => s + v, 0) / d;
    mean.push(m);
    variance.push(row.reduce((s, v) => s + (v - m) ** 2, 0) / d);
  }
  return { mean, variance };
}

backendTest(
  "layerNorm forward matches reference, with and without affine, with a large mean",
  async (ctx) => {
    const x = randomData([3, 70], 1).map((v) => v + 100);
    const w = randomData([70], 2);
    const b = randomData([70], 3);
    const [, plain] = await ctx.matchesReference(() => [
      layerNorm(tensor(x, [3, 70]), tensor(w), tensor(b), 1e-6),
      layerNorm(tensor(x, [3, 70])),
    ], { atol: 2e-3, rtol: 1e-3 });
    const { mean, variance } = rowMoments(plain, 70);
    assertClose(mean, [0, 0, 0], { atol: 1e-4, label: "row means" });
    assertClose(variance, [1, 1, 1], { atol: 1e-3, label: "row variances" });
  },
);

backendTest("layerNorm gradients of x, weight and bias match finite differences", async () => {
  const x = randomData([2, 2, 5], 4, 2);
  const w = randomData([5], 5);
  const b = randomData([5], 6);
  await gradCheck((x, w, b) => layerNorm(x, w, b), [{ data: x, shape: [2, 2, 5] }, { data: w, shape: [5] }, {
    data: b,
    shape: [5],
  }]);
  await gradCheck((x) => layerNorm(x), [{ data: x, shape: [2, 2, 5] }]);
});

backendTest(
  "layerNorm rows longer than 256 take the cooperative kernel and agree with the reference",
  async (ctx) => {
    const x = randomData([3, 300], 7, 3);
    const w = randomData([300], 8);
    const b = randomData([300], 9);
    await ctx.matchesReference(() => layerNorm(tensor(x, [3, 300]), tensor(w), tensor(b), 1e-6), {
      atol: 2e-3,
      rtol: 1e-3,
      label: "long rows",
    });
    await gradCheck((x) => layerNorm(x), [{ data: randomData([2, 260], 10), shape: [2, 260] }], {
      check: [0],
    });
  },
);

backendTest(
  "layerNorm parameter gradients keep their shape when the input has leading size-1 axes",
  async () => {
    const d = 6;
    await gradCheck((x, w, b) => layerNorm(x, w, b), [
      { data: randomData([1, 1, d], 11), shape: [1, 1, d] },
      { data: randomData([d], 12), shape: [d] },
      { data: randomData([d], 13), shape: [d] },
    ]);
  },
);
