import assert from "node:assert/strict";
import { makeClip, Random } from "@echojepa/core";
import { applyGainMap } from "./gain_map.ts";
import {
  DEPTH_ATTENUATION_PRESETS,
  depthAttenuationMap,
  GAUSSIAN_SHADOW_PRESETS,
  gaussianShadowMap,
  sampleShadowCenter,
} from "./reference.ts";

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

Deno.test("depth attenuation: hand-computed pixels of a 3×3 map, γ = 1.5", () => {
  const map = depthAttenuationMap(3, 3, { rate: 1.5 });
  close(map[1], 1); // top centre: d = 0
  close(map[0], 0.4723665527); // top-left: d = 0.5, exp(−0.75)
  close(map[2 * 3 + 1], 0.2231301601); // bottom centre: d = 1, exp(−1.5)
  close(map[1 * 3 + 2], 0.3462271655); // middle-right: d = √0.5, exp(−1.5·0.7071)
});

Deno.test("depth attenuation: minAttenuation lifts the floor: (1 − m)·exp(−γd) + m", () => {
  const map = depthAttenuationMap(3, 3, { rate: 1.5, minAttenuation: 0.2 });
  close(map[2 * 3 + 1], 0.8 * 0.2231301601 + 0.2);
});

Deno.test("depth attenuation presets are the reference's γ = 0.75 / 1.5 / 2.15", () => {
  assert.deepEqual(
    [
      DEPTH_ATTENUATION_PRESETS.low.rate,
      DEPTH_ATTENUATION_PRESETS.medium.rate,
      DEPTH_ATTENUATION_PRESETS.high.rate,
    ],
    [0.75, 1.5, 2.15],
  );
});

Deno.test("Gaussian shadow: hand-computed pixels, strength 0.6, σ 0.2 on a 10×20 frame centred at (4, 10)", () => {
  // σx = 0.2·10 = 2, σy = 0.2·20 = 4.
  const map = gaussianShadowMap(20, 10, { strength: 0.6, sigma: 0.2, centerX: 4, centerY: 10 });
  close(map[10 * 10 + 4], 0.4); // centre: 1 − 0.6
  close(map[10 * 10 + 6], 0.6360816042); // two columns right: 1 − 0.6·exp(−4/8)
  close(map[14 * 10 + 4], 0.6360816042); // four rows down: 1 − 0.6·exp(−16/32)
  close(map[0], 1 - 0.6 * Math.exp(-(16 / 8 + 100 / 32)));
});

Deno.test("Gaussian shadow presets are (0.4, 0.15), (0.6, 0.20), (0.8, 0.25)", () => {
  assert.deepEqual(GAUSSIAN_SHADOW_PRESETS, {
    low: { strength: 0.4, sigma: 0.15 },
    medium: { strength: 0.6, sigma: 0.2 },
    high: { strength: 0.8, sigma: 0.25 },
  });
});

Deno.test("Gaussian shadow centre: integer pixels within 0.2–0.8 of the frame, reproducible", () => {
  const rng = Random.from(1);
  for (let i = 0; i < 2000; i++) {
    const { centerX, centerY } = sampleShadowCenter(112, 112, rng);
    assert.ok(Number.isInteger(centerX) && centerX >= 22 && centerX < 90, `x ${centerX}`);
    assert.ok(Number.isInteger(centerY) && centerY >= 22 && centerY < 90, `y ${centerY}`);
  }
  assert.deepEqual(
    sampleShadowCenter(112, 112, Random.from(4)),
    sampleShadowCenter(112, 112, Random.from(4)),
  );
});

Deno.test("applyGainMap: same map on every frame and channel; uint8 rounds and clamps, float keeps precision", () => {
  const map = depthAttenuationMap(3, 3, { rate: 0.75 * 2 });
  const bytes = makeClip(new Uint8Array(2 * 9 * 3).fill(200), [2, 3, 3, 3]);
  const out = applyGainMap(bytes, map);
  assert.ok(out.data instanceof Uint8Array);
  for (const t of [0, 1]) for (const c of [0, 1, 2]) assert.equal(out.data[(t * 9 + 0) * 3 + c], 94); // 200·0.47237
  const bright = applyGainMap(makeClip(new Uint8Array([250]), [1, 1, 1]), new Float32Array([1.5]));
  assert.equal(bright.data[0], 255);
  const floats = applyGainMap(makeClip(new Float32Array(9).fill(200), [1, 3, 3]), map);
  close(floats.data[0], 94.47331055, 1e-4);
  assert.throws(() => applyGainMap(bytes, new Float32Array(4)), /map has 4 values/);
});
