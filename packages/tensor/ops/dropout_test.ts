import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { backward } from "../autograd.ts";
import { ones } from "../creation.ts";
import { sum } from "./reduce.ts";
import { reshape } from "./shape.ts";
import { dropout } from "./dropout.ts";
import { backendTest } from "../testing.ts";

await init();

backendTest(
  "dropout keeps about 1−p of the elements, scales them, and its gradient uses the same mask",
  async () => {
    const x = ones([4000]);
    x.requiresGrad = true;
    const y = dropout(x, 0.3, 42);
    backward(sum(reshape(y, [4000]), 0));
    const [out, grad] = await Promise.all([y.toArray(), x.grad!.toArray()]);
    const kept = out.filter((v) => v !== 0);
    assert.ok(Math.abs(kept.length / 4000 - 0.7) < 0.04, `kept fraction ${kept.length / 4000}`);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-5));
    assert.deepEqual(Array.from(grad), Array.from(out));
  },
);

backendTest("dropout is deterministic in its seed and identity at p = 0", async () => {
  const x = ones([256]);
  const [a, b, c] = await Promise.all([
    dropout(x, 0.5, 7).toArray(),
    dropout(x, 0.5, 7).toArray(),
    dropout(x, 0.5, 8).toArray(),
  ]);
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.notDeepEqual(Array.from(a), Array.from(c));
  assert.equal(dropout(x, 0, 1), x);
  assert.throws(() => dropout(x, 1, 0), /dropout: p must be in \[0, 1\)/);
});
