import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, gradCheck, randomData } from "../testing.ts";
import { layerNorm } from "./layernorm.ts";

await init();

function reference(
  x: Float32Array,
  d: number,
  w: Float32Array | null,
  b: Float32Array | null,
  eps: number,
): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = x.subarray(r * d, (r + 1) * d);
    const m = row.reduce((s, v) => s + v, 0) / d;
    const v = row.reduce((s, x) => s + (x - m) ** 2, 0) / d;
    row.forEach((x, j) => out.push(((x - m) / Math.sqrt(v + eps)) * (w ? w[j] : 1) + (b ? b[j] : 0)));
  }
  return out;
}

Deno.test("layerNorm forward matches reference, with and without affine, with a large mean", async () => {
  const x = randomData([3, 70], 1).map((v) => v + 100);
  const w = randomData([70], 2);
  const b = randomData([70], 3);
  const y = await layerNorm(tensor(x, [3, 70]), tensor(w), tensor(b), 1e-6).toArray();
  assertClose(y, reference(x, 70, w, b, 1e-6), { atol: 2e-3, rtol: 1e-3, label: "affine" });
  const y2 = await layerNorm(tensor(x, [3, 70])).toArray();
  assertClose(y2, reference(x, 70, null, null, 1e-5), { atol: 2e-3, rtol: 1e-3, label: "plain" });
});

Deno.test("layerNorm gradients of x, weight and bias match finite differences", async () => {
  const x = randomData([2, 2, 5], 4, 2);
  const w = randomData([5], 5);
  const b = randomData([5], 6);
  await gradCheck((x, w, b) => layerNorm(x, w, b), [{ data: x, shape: [2, 2, 5] }, { data: w, shape: [5] }, {
    data: b,
    shape: [5],
  }]);
  await gradCheck((x) => layerNorm(x), [{ data: x, shape: [2, 2, 5] }]);
});

Deno.test("layerNorm rows longer than 256 take the cooperative kernel and agree with the reference", async () => {
  const x = randomData([3, 300], 7, 3);
  const w = randomData([300], 8);
  const b = randomData([300], 9);
  const y = await layerNorm(tensor(x, [3, 300]), tensor(w), tensor(b), 1e-6).toArray();
  assertClose(y, reference(x, 300, w, b, 1e-6), { atol: 2e-3, rtol: 1e-3, label: "long rows" });
  await gradCheck((x) => layerNorm(x), [{ data: randomData([2, 260], 10), shape: [2, 260] }], { check: [0] });
});

Deno.test("layerNorm parameter gradients keep their shape when the input has leading size-1 axes", async () => {
  const d = 6;
  await gradCheck((x, w, b) => layerNorm(x, w, b), [
    { data: randomData([1, 1, d], 11), shape: [1, 1, d] },
    { data: randomData([d], 12), shape: [d] },
    { data: randomData([d], 13), shape: [d] },
  ]);
});
