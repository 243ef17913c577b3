import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { embedding, gather, scatterAdd } from "./gather.ts";

await init();

backendTest("gather selects rows per sample and its gradient scatters them back", async () => {
  const x = randomData([2, 4, 3], 1);
  const idx = tensor(new Int32Array([3, 0, 2, 1, 1, 3]), [2, 3]);
  const out = await gather(tensor(x, [2, 4, 3]), idx).toArray();
  const expected: number[] = [];
  [[3, 0, 2], [1, 1, 3]].forEach((rows, b) =>
    rows.forEach((r) => expected.push(...x.slice((b * 4 + r) * 3, (b * 4 + r + 1) * 3)))
  );
  assertClose(out, expected);
  // Repeated index 1 in sample 1 must accumulate twice.
  await gradCheck((t) => gather(t, idx), [{ data: x, shape: [2, 4, 3] }]);
});

backendTest("gather with a shared [1, K] index and out-of-range indices", async () => {
  const x = randomData([2, 3, 2], 2);
  const out = await gather(tensor(x, [2, 3, 2]), tensor(new Int32Array([2, 7]), [1, 2])).toArray();
  assertClose(out, [x[4], x[5], 0, 0, x[10], x[11], 0, 0]);
});

backendTest("scatterAdd adds source rows onto a base, repeated indices summing", async () => {
  const base = randomData([1, 3, 2], 3);
  const src = randomData([1, 3, 2], 4);
  const idx = tensor(new Int32Array([2, 0, 2]), [1, 3]);
  const out = await scatterAdd(tensor(base, [1, 3, 2]), idx, tensor(src, [1, 3, 2])).toArray();
  const e = Array.from(base);
  [2, 0, 2].forEach((r, k) => {
    e[r * 2] += src[k * 2];
    e[r * 2 + 1] += src[k * 2 + 1];
  });
  assertClose(out, e);
  await gradCheck((b, s) => scatterAdd(b, idx, s), [{ data: base, shape: [1, 3, 2] }, {
    data: src,
    shape: [1, 3, 2],
  }]);
});

backendTest("embedding looks up rows for any index shape", async () => {
  const table = randomData([5, 3], 5);
  const out = embedding(tensor(table, [5, 3]), tensor(new Int32Array([4, 0, 1, 4]), [2, 2]));
  assert.deepEqual(out.shape, [2, 2, 3]);
  assertClose(await out.toArray(), [4, 0, 1, 4].flatMap((r) => Array.from(table.slice(r * 3, r * 3 + 3))));
});

backendTest("gather rejects float indices and mismatched batches", () => {
  assert.throws(
    () => gather(tensor(randomData([2, 3, 1], 1), [2, 3, 1]), tensor([0, 1], [1, 2])),
    /gather: expected i32/,
  );
  assert.throws(
    () => gather(tensor(randomData([2, 3, 1], 1), [2, 3, 1]), tensor(new Int32Array(6), [3, 2])),
    /gather: expected indices \[2, K\]/,
  );
});
