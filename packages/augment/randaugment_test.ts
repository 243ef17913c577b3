import assert from "node:assert/strict";
import { RAND_AUGMENT_OPS, randAugmentClip } from "./randaugment.ts";
import { type Clip, makeClip, Random } from "@echojepa/core";

function repeatedFrameClip(frames: number): Clip<Uint8Array> {
  const frame = Uint8Array.from({ length: 24 * 32 }, (_, i) => (i * 29 + (i >> 5) * 7) % 256);
  const data = new Uint8Array(frames * frame.length);
  for (let t = 0; t < frames; t++) data.set(frame, t * frame.length);
  return makeClip(data, [frames, 24, 32]);
}

Deno.test("randAugmentClip: every op, same parameters on every frame (identical frames stay identical)", () => {
  const clip = repeatedFrameClip(3);
  for (const op of RAND_AUGMENT_OPS) {
    const { clip: out, applied } = randAugmentClip(clip, Random.from(1), {
      pool: [op],
      ops: 1,
      probability: 1,
    });
    assert.equal(applied.length, 1);
    assert.equal(applied[0].op, op);
    const n = 24 * 32;
    assert.deepEqual(out.data.subarray(0, n), out.data.subarray(n, 2 * n), op);
    assert.deepEqual(out.data.subarray(0, n), out.data.subarray(2 * n), op);
    assert.deepEqual(out.shape, clip.shape);
  }
});

Deno.test("randAugmentClip: reproducible from the seed; magnitude ~ N(7, 0.5) within [0, 10]", () => {
  const clip = repeatedFrameClip(2);
  const a = randAugmentClip(clip, Random.from(9));
  const b = randAugmentClip(clip, Random.from(9));
  assert.deepEqual(a.applied, b.applied);
  assert.deepEqual(a.clip.data, b.clip.data);
  const magnitudes: number[] = [];
  let applied = 0;
  for (let s = 0; s < 300; s++) {
    const r = randAugmentClip(makeClip(new Uint8Array(4), [1, 2, 2]), Random.from(s));
    applied += r.applied.length;
    for (const op of r.applied) magnitudes.push(op.magnitude);
  }
  // 4 ops at p = 0.5 → 2 per clip on average.
  assert.ok(Math.abs(applied / 300 - 2) < 0.2, `${applied / 300}`);
  const mean = magnitudes.reduce((s, v) => s + v, 0) / magnitudes.length;
  assert.ok(Math.abs(mean - 7) < 0.1 && magnitudes.every((m) => m >= 0 && m <= 10));
});

Deno.test("randAugmentClip: magnitude → parameter rules (timm increasing set at m = 10)", () => {
  const clip = repeatedFrameClip(1);
  const at10 = (op: (typeof RAND_AUGMENT_OPS)[number]) =>
    randAugmentClip(clip, Random.from(3), {
      pool: [op],
      ops: 1,
      probability: 1,
      magnitude: 10,
      magnitudeStd: 0,
    })
      .applied[0].parameter;
  assert.equal(at10("Posterize"), 0);
  assert.equal(at10("Solarize"), 0);
  assert.equal(at10("SolarizeAdd"), 110);
  assert.equal(Math.abs(at10("Rotate")), 30);
  assert.ok(Math.abs(Math.abs(at10("ShearX")) - 0.3) < 1e-12);
  assert.ok(Math.abs(Math.abs(at10("TranslateY")) - 0.45) < 1e-12);
  assert.ok([0.1, 1.9].some((v) => Math.abs(at10("Contrast") - v) < 1e-12));
  // Invert on the data: 255 − v.
  const inv = randAugmentClip(clip, Random.from(0), { pool: ["Invert"], ops: 1, probability: 1 }).clip;
  for (let i = 0; i < 50; i++) assert.equal(inv.data[i], 255 - clip.data[i]);
});

Deno.test("randAugmentClip: rejects float clips and odd channel counts", () => {
  assert.throws(
    () => randAugmentClip(makeClip(new Float32Array(4), [1, 2, 2]), Random.from(0)),
    /uint8/,
  );
  assert.throws(
    () => randAugmentClip(makeClip(new Uint8Array(8), [1, 2, 2, 2]), Random.from(0)),
    /1 or 3/,
  );
});
