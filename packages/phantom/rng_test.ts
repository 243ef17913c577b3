import assert from "node:assert/strict";
import { hashSeed, mixSeeds, Rng } from "./rng.ts";

Deno.test("Rng: same seed, same stream; different seeds differ", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.uint32());
  const sb = Array.from({ length: 8 }, () => b.uint32());
  const sc = Array.from({ length: 8 }, () => c.uint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

Deno.test("Rng: uniform in range and normal has unit variance", () => {
  const r = new Rng(7);
  let s = 0, s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const g = r.normal();
    s += g;
    s2 += g * g;
  }
  assert.ok(Math.abs(s / n) < 0.03, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.05, `variance ${s2 / n}`);
});

Deno.test("mixSeeds: order-sensitive and stable", () => {
  assert.equal(mixSeeds(1, 2), mixSeeds(1, 2));
  assert.notEqual(mixSeeds(1, 2), mixSeeds(2, 1));
  assert.equal(hashSeed(5), hashSeed(5));
  assert.throws(() => hashSeed(Number.NaN), /finite/);
});
