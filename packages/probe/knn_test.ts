import assert from "node:assert/strict";
import { knnClassify } from "./knn.ts";

Deno.test("knnClassify votes among the nearest neighbours by cosine similarity", () => {
  // Class 0 points along +x, class 1 along +y; magnitudes differ, which cosine similarity ignores.
  const train = new Float32Array([1, 0.1, 5, -0.2, 0.1, 1, -0.1, 3]);
  const labels = [0, 0, 1, 1];
  const query = new Float32Array([2, 0.3, 0.2, 7, 1, 0.9]);
  assert.deepEqual(knnClassify(train, labels, query, 2, 2, { k: 1 }), [0, 1, 0]);
  // k = 3: two class-1 neighbours outvote one class-0 neighbour for a query nearer the y axis.
  assert.deepEqual(knnClassify(train, labels, new Float32Array([0.8, 1]), 2, 2, { k: 3 }), [1]);
});

Deno.test("knnClassify weights votes by closeness and rejects bad shapes", () => {
  // With k covering everything, the temperature-weighted vote follows the single closest point.
  const train = new Float32Array([1, 0, 0.6, 0.8, 0.6, 0.8]);
  const pred = knnClassify(train, [0, 1, 1], new Float32Array([1, 0.05]), 2, 2, { k: 3, temperature: 0.01 });
  assert.deepEqual(pred, [0]);
  assert.throws(() => knnClassify(train, [0, 1], new Float32Array([1, 0]), 2, 2), RangeError);
});
