import assert from "node:assert/strict";
import { runSeeds } from "./seeds.ts";

Deno.test("runSeeds: another --seed changes every seed; the first random init is the pretraining init", () => {
  const a = runSeeds(0);
  const b = runSeeds(1);
  for (
    const k of ["adults", "efAdults", "pediatric", "pretrain", "labelDraws", "perturb", "bootstrap"] as const
  ) {
    assert.notEqual(a[k], b[k], k);
  }
  assert.ok(a.randomInits.every((s) => !b.randomInits.includes(s)));
  assert.equal(a.randomInits[0], a.pretrain);
  assert.notEqual(a.efAdults, a.adults); // the EF cohort is other patients than the view cohort
  assert.equal(new Set(a.randomInits).size, 3);
  assert.throws(() => runSeeds(-1), /--seed/);
});
