import assert from "node:assert/strict";
import { duration, fixed, meanStd, MISSING } from "./format.ts";

Deno.test("fixed prints a dash for missing and non-finite values", () => {
  assert.equal(fixed(1.234), "1.23");
  assert.equal(fixed(Number.NaN), MISSING);
  assert.equal(fixed(undefined), MISSING);
  assert.equal(fixed(Number.POSITIVE_INFINITY), MISSING);
});

Deno.test("meanStd shows the std only for repeated runs", () => {
  assert.equal(meanStd({ mean: 50, std: 1.23, runs: [49, 50, 51] }), "50.0±1.2");
  assert.equal(meanStd({ mean: 50, std: 0, runs: [50] }), "50.0");
  assert.equal(meanStd(undefined), MISSING);
});

Deno.test("duration picks a readable unit", () => {
  assert.equal(duration(12.34), "12.3 s");
  assert.equal(duration(185), "3 min 05 s");
  assert.equal(duration(3720), "1 h 02 min");
});
