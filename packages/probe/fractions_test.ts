import assert from "node:assert/strict";
import { fitScaler, stratifiedSubset } from "./fractions.ts";

Deno.test("stratified subsets keep ceil(p·n) per class, at least one, and are seeded", () => {
  const labels = [...Array(50).fill(0), ...Array(20).fill(1), ...Array(3).fill(2)];
  const s = stratifiedSubset(labels, 0.1, 1);
  const count = (c: number) => s.filter((i) => labels[i] === c).length;
  assert.deepEqual([count(0), count(1), count(2)], [5, 2, 1]);
  assert.deepEqual(stratifiedSubset(labels, 0.1, 1), s);
  assert.notDeepEqual(stratifiedSubset(labels, 0.1, 2), s);
  assert.equal(stratifiedSubset(labels, 1, 3).length, labels.length);
  assert.equal(new Set(s).size, s.length);
  assert.throws(() => stratifiedSubset(labels, 0, 1), /fraction 0 not in/);
});

Deno.test("the scaler uses the population std of the training targets only", () => {
  const s = fitScaler([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assert.equal(s.std, 2);
  assert.equal(fitScaler([3, 3]).std, 1);
});
