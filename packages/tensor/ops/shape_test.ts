import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { broadcastTo, concat, permute, reshape, slice, transpose } from "./shape.ts";

await init();

backendTest("permute matches a reference transpose and its gradient is the inverse permutation", async () => {
  const shape = [2, 3, 4];
  const x = randomData(shape, 1);
  const y = permute(tensor(x, shape), [2, 0, 1]);
  assert.deepEqual(y.shape, [4, 2, 3]);
  const e: number[] = [];
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) e.push(x[(i * 3 + j) * 4 + k]);
  }
  assertClose(await y.toArray(), e);
  await gradCheck((t) => permute(t, [2, 0, 1]), [{ data: x, shape }]);
  await gradCheck((t) => transpose(t), [{ data: x, shape }]);
});

backendTest("slice and concat are inverse and differentiable", async () => {
  const shape = [2, 5, 3];
  const x = randomData(shape, 2);
  const t = tensor(x, shape);
  const parts = [slice(t, 1, 0, 2), slice(t, 1, 2, 3), slice(t, 1, 3)];
  assert.deepEqual(parts.map((p) => p.shape[1]), [2, 1, 2]);
  assertClose(await concat(parts, 1).toArray(), x);
  await gradCheck((t) => slice(t, 1, 1, -1), [{ data: x, shape }]);
  const y = randomData([2, 2, 3], 3);
  await gradCheck((a, b) => concat([a, b, a], 1), [{ data: x, shape }, { data: y, shape: [2, 2, 3] }]);
});

backendTest("reshape infers -1 and rejects wrong sizes; broadcastTo sums its gradient", async () => {
  const t = tensor(randomData([2, 6], 4), [2, 6]);
  assert.deepEqual(reshape(t, [3, -1]).shape, [3, 4]);
  assert.throws(() => reshape(t, [5, 2]), /reshape: cannot view \[2,6\]/);
  await gradCheck((a) => broadcastTo(a, [2, 3, 4]), [{ data: randomData([3, 1], 5), shape: [3, 1] }]);
});
