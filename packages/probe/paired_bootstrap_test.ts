import assert from "node:assert/strict";
import { accuracyOn, pairedBootstrap } from "./paired_bootstrap.ts";
import { Random } from "@echojepa/core";

Deno.test("pairedBootstrap matches a hand computation of the resampled differences", () => {
  // A is right on samples 0–2, B on 0 and 3: A − B = 3/4 − 2/4 = 0.25 on the full set.
  const a = [1, 1, 1, 0];
  const b = [1, 0, 0, 1];
  const result = pairedBootstrap(4, (i) => accuracyOn(a, i), (i) => accuracyOn(b, i), {
    resamples: 5,
    level: 0.6,
    seed: 11,
  });
  assert.equal(result.value, 0.25);
  // By hand: the per-sample difference is d = [0, 1, 1, −1]; a resample's A − B is the mean of d over its draws.
  const d = [0, 1, 1, -1];
  const next = new Random(11).source();
  const diffs: number[] = [];
  for (let r = 0; r < 5; r++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += d[Math.floor(next() * 4)];
    diffs.push(s / 4);
  }
  diffs.sort((x, y) => x - y);
  // level 0.6 → quantiles 0.2 and 0.8 of 5 sorted values: entries floor(1) and floor(4).
  assert.equal(result.low, diffs[1]);
  assert.equal(result.high, diffs[4]);
  assert.equal(result.pNotBetter, diffs.filter((x) => x <= 0).length / 5);
});

Deno.test("pairedBootstrap: identical systems give a zero interval; a dominating one excludes zero", () => {
  const a = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const same = pairedBootstrap(200, (i) => accuracyOn(a, i), (i) => accuracyOn(a, i));
  assert.deepEqual([same.value, same.low, same.high, same.pNotBetter], [0, 0, 0, 1]);
  // B is A with 30 extra mistakes: pairing makes every resample's difference ≥ 0 and the interval exclude 0.
  const b = a.map((v, i) => (i < 90 && v === 1 ? 0 : v));
  const better = pairedBootstrap(200, (i) => accuracyOn(a, i), (i) => accuracyOn(b, i));
  assert.ok(better.low > 0 && better.value > better.low && better.high > better.value);
  assert.ok(better.pNotBetter < 0.01);
});
