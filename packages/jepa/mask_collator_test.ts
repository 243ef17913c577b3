import assert from "node:assert/strict";
import { Random } from "@echojepa/core";
import {
  type MaskGeneratorConfig,
  MultiBlockMaskCollator,
  REFERENCE_MASK_GENERATORS,
  sampleBlockSize,
  sampleKeepVolume,
  sampleMaskSet,
} from "./mask_collator.ts";

const GRID_16F_224 = { t: 8, h: 14, w: 14 }; // 16 frames, 224 px, tubelet 2, patch 16 → 1568 tokens

Deno.test("mask statistics at 16 frames / 224 px, batch 128, match the reference's estimates", () => {
  const collator = new MultiBlockMaskCollator(GRID_16F_224, { seed: 11 });
  const n = collator.tokenCount;
  const draws = 12;
  const context = [0, 0];
  const target = [0, 0];
  for (let step = 0; step < draws; step++) {
    collator.sample(128, step).forEach((m, j) => {
      context[j] += m.contextLength / n / draws;
      target[j] += m.targetLength / n / draws;
    });
  }
  // Reference (spec §3.2): context ≈20% / ≈4%, target ≈43% / ≈70% after min-keep truncation.
  assert.ok(Math.abs(context[0] - 0.20) < 0.03, `short-range context ${context[0]}`);
  assert.ok(Math.abs(context[1] - 0.04) < 0.02, `long-range context ${context[1]}`);
  assert.ok(Math.abs(target[0] - 0.43) < 0.04, `short-range target ${target[0]}`);
  assert.ok(Math.abs(target[1] - 0.70) < 0.04, `long-range target ${target[1]}`);
});

Deno.test("masked fraction before truncation: ≈62% short-range, ≈81% long-range", () => {
  const rng = Random.from(5);
  for (const [j, expected] of [[0, 0.62], [1, 0.81]] as const) {
    const g = REFERENCE_MASK_GENERATORS[j];
    let masked = 0;
    const samples = 400;
    for (let i = 0; i < samples; i++) {
      const block = sampleBlockSize(rng, GRID_16F_224, g);
      const keep = sampleKeepVolume(rng, GRID_16F_224, block, g);
      masked += keep.filter((v) => v === 0).length / keep.length / samples;
    }
    assert.ok(Math.abs(masked - expected) < 0.03, `generator ${j}: masked ${masked}, expected ≈${expected}`);
  }
});

Deno.test("block sizes follow keep = int(H·W·scale) and the aspect range, spanning all time", () => {
  const rng = Random.from(9);
  for (
    const [g, keep] of [[REFERENCE_MASK_GENERATORS[0], 29], [REFERENCE_MASK_GENERATORS[1], 137]] as const
  ) {
    for (let i = 0; i < 200; i++) {
      const b = sampleBlockSize(rng, GRID_16F_224, g);
      assert.equal(b.t, 8);
      // h = round(√(keep·ar)), w = round(√(keep/ar)) with ar in [0.75, 1.5]
      assert.ok(
        b.h >= Math.round(Math.sqrt(keep * 0.75)) && b.h <= Math.round(Math.sqrt(keep * 1.5)),
        `h ${b.h}`,
      );
      assert.ok(
        b.w >= Math.round(Math.sqrt(keep / 1.5)) && b.w <= Math.round(Math.sqrt(keep / 0.75)),
        `w ${b.w}`,
      );
      assert.ok(Math.abs(b.h * b.w - keep) <= 0.25 * keep, `area ${b.h}×${b.w} vs ${keep}`);
    }
  }
});

Deno.test("min-keep truncation keeps the lowest indices; context and target are disjoint and sorted", () => {
  const grid = { t: 4, h: 8, w: 8 };
  const g = REFERENCE_MASK_GENERATORS[0];
  const seed = 21;
  const m = sampleMaskSet(Random.from(seed), grid, g, 6);
  // Replay the same stream to get the untruncated lists.
  const rng = Random.from(seed);
  const block = sampleBlockSize(rng, grid, g);
  assert.deepEqual(block, m.block);
  const fullContexts: number[][] = [];
  for (let i = 0; i < 6; i++) {
    const keep = sampleKeepVolume(rng, grid, block, g);
    fullContexts.push([...keep.keys()].filter((k) => keep[k] === 1));
  }
  assert.equal(m.contextLength, Math.min(...fullContexts.map((c) => c.length)));
  for (let i = 0; i < 6; i++) {
    const row = [...m.context.subarray(i * m.contextLength, (i + 1) * m.contextLength)];
    assert.deepEqual(row, fullContexts[i].slice(0, m.contextLength));
    const tgt = new Set(m.target.subarray(i * m.targetLength, (i + 1) * m.targetLength));
    for (const k of row) assert.ok(!tgt.has(k), `token ${k} is both context and target`);
    const sorted = [...tgt].every((v, k, a) => k === 0 || a[k - 1] < v);
    assert.ok(sorted);
  }
});

Deno.test("an empty context is redrawn, and an impossible config fails clearly", () => {
  const tiny = { t: 1, h: 2, w: 2 };
  const risky: MaskGeneratorConfig = {
    numBlocks: 3,
    spatialScale: [0.5, 0.5],
    temporalScale: [1, 1],
    aspectRatio: [0.75, 1.5],
  };
  let resampled = 0;
  for (let step = 0; step < 20; step++) {
    const m = sampleMaskSet(Random.from(1, step), tiny, risky, 16);
    resampled += m.resampled;
    assert.ok(m.contextLength >= 1);
  }
  assert.ok(resampled > 0, "expected some samples to need a redraw");
  const impossible = { ...risky, spatialScale: [1, 1] as [number, number] };
  assert.throws(() => sampleMaskSet(Random.from(0), tiny, impossible, 2), /always cover the whole/);
});

Deno.test("masks are a pure function of (seed, step)", () => {
  const a = new MultiBlockMaskCollator(GRID_16F_224, { seed: 4 });
  const b = new MultiBlockMaskCollator(GRID_16F_224, { seed: 4 });
  assert.deepEqual(a.sample(8, 7), b.sample(8, 7));
  assert.notDeepEqual(a.sample(8, 7)[0].context, a.sample(8, 8)[0].context);
  assert.throws(() => new MultiBlockMaskCollator({ t: 0, h: 4, w: 4 }), /t must be a positive integer/);
});
