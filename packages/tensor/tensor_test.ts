import assert from "node:assert/strict";
import { init, memoryStats } from "./backends/registry.ts";
import { backendTest, pipelineCount } from "./testing.ts";
import { backward } from "./autograd.ts";
import { ones, randn, tensor, truncNormal, zeros } from "./creation.ts";
import { add, mul } from "./ops/elementwise.ts";
import { sum } from "./ops/reduce.ts";
import { detach, keep, noGrad, type Tensor, tidy } from "./tensor.ts";

await init();

backendTest("tidy disposes everything but its result, and memory stays flat across iterations", ({ backend }) => {
  const w = randn([64], 1, 0, { seed: 1 });
  let before = 0;
  for (let step = 0; step < 10; step++) {
    const out = tidy(() => {
      const a = mul(w, 2);
      const b = add(a, 1);
      return sum(b, 0);
    });
    out.dispose();
    if (step === 1) before = memoryStats().liveBytes;
  }
  assert.equal(memoryStats().liveBytes, before);
  if (backend.info.name === "webgpu") assert.ok(memoryStats().pooledBytes > 0, "released buffers are pooled");
  w.dispose();
});

backendTest("keep exempts a tensor from tidy; async tidy works", async () => {
  let kept: Tensor | null = null;
  const r = await tidy(async () => {
    kept = keep(ones([2]));
    const t = zeros([3]);
    await t.toArray();
    return t;
  });
  assert.equal(kept!.disposed, false);
  assert.equal(r.disposed, false);
  kept!.dispose();
  r.dispose();
});

backendTest("using a disposed tensor names the op", () => {
  const t = ones([2]);
  t.name = "weights";
  t.dispose();
  assert.throws(() => add(t, 1), /add: tensor "weights" \[2\] was already disposed/);
});

backendTest("reads in the same tick share one round trip and return correct data", async () => {
  const ts = [tensor([1, 2]), tensor(new Int32Array([-3, 4])), tensor([5])];
  const [a, b, c] = await Promise.all(ts.map((t) => t.toArray()));
  assert.deepEqual(Array.from(a), [1, 2]);
  assert.ok(b instanceof Int32Array);
  assert.deepEqual(Array.from(b), [-3, 4]);
  assert.deepEqual(Array.from(c), [5]);
});

backendTest("gradients accumulate across backward calls; detach and noGrad stop the tape", async () => {
  const x = tensor([1, 2, 3]);
  x.requiresGrad = true;
  backward(sum(mul(x, x), 0));
  backward(sum(mul(x, 3), 0));
  assert.deepEqual(Array.from(await x.grad!.toArray()), [5, 7, 9]);
  assert.equal(mul(detach(x), 2).requiresGrad, false);
  assert.equal(noGrad(() => mul(x, 2)).requiresGrad, false);
  assert.throws(() => backward(mul(x, 2)), /backward: .* is not a scalar/);
  assert.throws(() => backward(sum(mul(detach(x), 2), 0)), /does not require grad/);
});

backendTest("seeded random tensors repeat; truncated normal stays within bounds", async () => {
  const [a, b, c] = await Promise.all([
    randn([100], 1, 0, { seed: 3 }).toArray(),
    randn([100], 1, 0, { seed: 3 }).toArray(),
    truncNormal([2000], 1, 0, -2, 2, { seed: 4 }).toArray(),
  ]);
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.ok(c.every((v) => v >= -2 && v <= 2));
  const mean = Array.from(c).reduce((s, v) => s + v, 0) / c.length;
  assert.ok(Math.abs(mean) < 0.1);
});

backendTest("creation rejects data that does not fill the shape", () => {
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /tensor: 3 values do not fill shape \[2,2\]/);
});

backendTest("pipelines are cached: the same op on new shapes compiles nothing new", async () => {
  await add(tensor([1, 2]), tensor([3, 4])).toArray();
  const n = pipelineCount();
  await add(tensor([1, 2, 3]), tensor([3, 4, 5])).toArray();
  assert.equal(pipelineCount(), n);
}, { only: ["webgpu"] });
