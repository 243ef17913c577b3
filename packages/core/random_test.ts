import assert from "node:assert/strict";
import { deriveSeed, hashString, Random } from "./random.ts";

Deno.test("Random: same seed gives the same stream, different seeds differ", () => {
  const a = new Random(7);
  const b = new Random(7);
  const c = new Random(8);
  const sa = Array.from({ length: 16 }, () => a.uint32());
  const sb = Array.from({ length: 16 }, () => b.uint32());
  const sc = Array.from({ length: 16 }, () => c.uint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

Deno.test("Random: stream values are pinned (stable across processes and releases)", () => {
  // Pinned so that any change to the generator, which would silently change every perturbed data set, phantom
  // clip and initialised weight, fails here. Checked against an independent Python implementation of FNV-1a and
  // the murmur3 finaliser.
  const tuple = Random.from("clip-001", "gaussian-shadow-low", 0);
  assert.deepEqual(Array.from({ length: 3 }, () => tuple.uint32()), [29542721, 2121877254, 2691083667]);
  assert.equal(hashString("EchoJEPA"), 2098182825);
  // The raw counter start: SplitMix32 from 0.
  const raw = new Random(0);
  assert.deepEqual(Array.from({ length: 2 }, () => raw.uint32()), PINNED_RAW);
});

const PINNED_RAW = [2462723854, 1020716019]; // also from a Python SplitMix32

Deno.test("deriveSeed: order and grouping of parts matter", () => {
  assert.notEqual(deriveSeed("a", "b"), deriveSeed("b", "a"));
  assert.notEqual(deriveSeed("a", "b"), deriveSeed("ab"));
  assert.notEqual(deriveSeed(1), deriveSeed(1 + 2 ** 32));
  assert.notEqual(deriveSeed(0.25), deriveSeed(0.5));
  assert.equal(deriveSeed("clip", 3), deriveSeed("clip", 3));
  assert.throws(() => deriveSeed(Number.NaN), /finite/);
  assert.throws(() => new Random(Number.POSITIVE_INFINITY), /finite/);
});

Deno.test("Random: next, int, below, uniform and normal have the expected ranges and moments", () => {
  const rng = new Random(123);
  const n = 20000;
  let sum = 0;
  let sumSq = 0;
  const counts = [0, 0, 0];
  const below = [0, 0];
  for (let i = 0; i < n; i++) {
    const f = rng.next();
    assert.ok(f >= 0 && f < 1);
    counts[rng.int(0, 2)]++;
    below[rng.below(2)]++;
    const u = rng.uniform(-2, 3);
    assert.ok(u >= -2 && u < 3);
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
  }
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 3) < 0.02, `int counts ${counts}`);
  assert.ok(Math.abs(below[0] / n - 0.5) < 0.02, `below counts ${below}`);
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sumSq / n - 1) < 0.05);
  assert.ok(Math.abs(new Random(4).normal(10, 0.001) - 10) < 0.01);
  assert.throws(() => rng.int(3, 2), /empty range/);
  assert.throws(() => rng.pick([]), /empty array/);
});

Deno.test("Random.fork and source: independent, reproducible streams; a source shares its stream", () => {
  const a = new Random(5).fork("crop");
  const b = new Random(5).fork("crop");
  const c = new Random(5).fork("flip");
  assert.equal(a.uint32(), b.uint32());
  assert.notEqual(new Random(5).fork("crop").uint32(), c.uint32());
  const r = new Random(9);
  const s = r.source();
  const first = s();
  const twin = new Random(9);
  assert.equal(first, twin.next());
  assert.equal(r.next(), twin.next());
});
