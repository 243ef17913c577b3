import assert from "node:assert/strict";
import { duration, fixed, MISSING, percent, percentMeanStd } from "./format.ts";

Deno.test("fixed and percent print a dash for missing and non-finite values", () => {
  assert.equal(fixed(1.234), "1.23");
  assert.equal(fixed(Number.NaN), MISSING);
  assert.equal(fixed(undefined), MISSING);
  assert.equal(percent(0.5555), "55.5");
  assert.equal(percent(Number.POSITIVE_INFINITY), MISSING);
});

Deno.test("percentMeanStd shows the std only for repeated runs", () => {
  assert.equal(percentMeanStd({ mean: 0.5, std: 0.012, runs: [0.49, 0.5, 0.51] }), "50.0±1.2");
  assert.equal(percentMeanStd({ mean: 0.5, std: 0, runs: [0.5] }), "50.0");
  assert.equal(percentMeanStd(undefined), MISSING);
});

Deno.test("duration picks a readable unit", () => {
  assert.equal(duration(12.34), "12.3 s");
  assert.equal(duration(185), "3 min 05 s");
  assert.equal(duration(3720), "1 h 02 min");
});
