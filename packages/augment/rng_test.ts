import assert from "node:assert/strict";
import { deriveSeed, hashString, Rng } from "./rng.ts";

Deno.test("Rng: same seed gives the same stream, different seeds differ", () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const sa = Array.from({ length: 16 }, () => a.nextUint32());
  const sb = Array.from({ length: 16 }, () => b.nextUint32());
  const sc = Array.from({ length: 16 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

Deno.test("Rng: stream values are pinned (stable across processes and releases)", () => {
  // Pinned so that any change to the generator, which would silently change every perturbed data set, fails here.
  const rng = Rng.from("clip-001", "gaussian-shadow-low", 0);
  const values = Array.from({ length: 3 }, () => rng.nextUint32());
  assert.deepEqual(values, PINNED);
  assert.equal(hashString("EchoJEPA"), PINNED_HASH);
});

// Also checked against an independent Python implementation of FNV-1a + the murmur3 finaliser.
const PINNED = [29542721, 2121877254, 2691083667];
const PINNED_HASH = 2098182825;

Deno.test("deriveSeed: order and grouping of parts matter", () => {
  assert.notEqual(deriveSeed("a", "b"), deriveSeed("b", "a"));
  assert.notEqual(deriveSeed("a", "b"), deriveSeed("ab"));
  assert.notEqual(deriveSeed(1), deriveSeed(1 + 2 ** 32));
  assert.notEqual(deriveSeed(0.25), deriveSeed(0.5));
  assert.equal(deriveSeed("clip", 3), deriveSeed("clip", 3));
  assert.throws(() => deriveSeed(Number.NaN), /finite/);
});

Deno.test("Rng: float, int, uniform and normal have the expected ranges and moments", () => {
  const rng = new Rng(123);
  const n = 20000;
  let sum = 0;
  let sumSq = 0;
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const f = rng.float();
    assert.ok(f >= 0 && f < 1);
    const k = rng.int(0, 2);
    counts[k]++;
    const u = rng.uniform(-2, 3);
    assert.ok(u >= -2 && u < 3);
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
  }
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 3) < 0.02, `int counts ${counts}`);
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sumSq / n - 1) < 0.05);
});

Deno.test("Rng.fork gives an independent, reproducible stream", () => {
  const a = new Rng(5).fork("crop");
  const b = new Rng(5).fork("crop");
  const c = new Rng(5).fork("flip");
  assert.equal(a.nextUint32(), b.nextUint32());
  assert.notEqual(new Rng(5).fork("crop").nextUint32(), c.nextUint32());
});
