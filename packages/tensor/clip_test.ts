import assert from "node:assert/strict";
import { init } from "./backends/registry.ts";
import { tensor } from "./creation.ts";
import { clipGradNorm, globalL2Norm } from "./clip.ts";
import type { Tensor } from "./tensor.ts";
import { assertClose, backendTest, randomData } from "./testing.ts";

await init();

function withGrad(data: Float32Array): Tensor {
  const p = tensor(new Float32Array(data.length));
  p.requiresGrad = true;
  p.grad = tensor(data);
  return p;
}

function l2(...arrays: Float32Array[]): number {
  let s = 0;
  for (const a of arrays) for (const v of a) s += v * v;
  return Math.sqrt(s);
}

backendTest("clipGradNorm returns the global norm and scales every gradient to maxNorm", async () => {
  // 40000 elements spread the sum of squares over three workgroups.
  const g1 = randomData([40000], 1);
  const g2 = randomData([7], 2, 4);
  const a = withGrad(g1);
  const b = withGrad(g2);
  const c = tensor([1]); // no gradient: skipped
  const total = l2(g1, g2);
  const norm = clipGradNorm([a, b, c], 2);
  assert.deepEqual(norm.shape, []);
  assertClose([await norm.item()], [total], { rtol: 1e-5, label: "norm" });
  const coef = 2 / (total + 1e-6);
  assertClose(await b.grad!.toArray(), Array.from(g2, (v) => v * coef), { rtol: 1e-5, label: "b.grad" });
  assertClose([l2(await a.grad!.toArray() as Float32Array, await b.grad!.toArray() as Float32Array)], [2], {
    rtol: 1e-5,
    label: "clipped norm",
  });
  for (const t of [a, b, c, norm]) t.dispose();
});

backendTest("clipGradNorm leaves gradients below maxNorm unchanged", async () => {
  const g = new Float32Array([3, 4]);
  const a = withGrad(g);
  const norm = clipGradNorm([a], 10);
  assertClose([await norm.item()], [5]);
  assertClose(await a.grad!.toArray(), g);
  assert.throws(() => clipGradNorm([a], 0), /clipGradNorm: maxNorm must be > 0/);
  a.dispose();
  norm.dispose();
});

backendTest("globalL2Norm of several tensors, and of none", async () => {
  const x = tensor([1, 2]);
  const y = tensor([2]);
  const n = globalL2Norm([x, y]);
  const empty = globalL2Norm([]);
  assertClose([await n.item(), await empty.item()], [3, 0]);
  for (const t of [x, y, n, empty]) t.dispose();
});
