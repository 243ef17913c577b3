import assert from "node:assert/strict";
import { downsample } from "./figure.ts";

Deno.test("downsample averages buckets and skips non-finite values", () => {
  assert.deepEqual(downsample([1, 3, 5, 7], 2), [{ index: 0.5, value: 2 }, { index: 2.5, value: 6 }]);
  assert.deepEqual(downsample([1, Number.NaN, 5], 10), [{ index: 0, value: 1 }, { index: 2, value: 5 }]);
  assert.equal(downsample([], 10).length, 0);
});
