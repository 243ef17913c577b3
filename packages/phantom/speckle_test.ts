import assert from "node:assert/strict";
import { addSidelobeHaze, logCompress, scaleSpeckle } from "./bmode.ts";
import { homogeneousEnvelope, snr } from "./homogeneous.ts";
import { makeComplexImage, makePolarGrid } from "./polar_grid.ts";
import { Random } from "@echojepa/core";
import { REFERENCE_STATE } from "./scene_parts.ts";
import { buildTissue, splatMovingTissue } from "./tissue.ts";
import { apicalView } from "./scenes_apical.ts";
import { samplePatient } from "./patient.ts";

Deno.test("homogeneous tissue gives Rayleigh speckle: envelope mean/std within 10 % of 1.91", () => {
  for (const seed of [1, 2, 3]) {
    const vals = homogeneousEnvelope(seed, 2);
    const ratio = snr(vals);
    assert.ok(Math.abs(ratio - 1.91) / 1.91 < 0.1, `seed ${seed}: envelope SNR ${ratio.toFixed(3)}`);
    // The reference level makes the RMS envelope of unit-echo tissue ≈ 1 (0 dB).
    const rms = Math.sqrt(vals.reduce((a, b) => a + b * b, 0) / vals.length);
    assert.ok(Math.abs(rms - 1) < 0.15, `RMS envelope ${rms.toFixed(3)}`);
  }
});

Deno.test("log compression maps the white level to 255 and white − DR to 0", () => {
  const env = Float32Array.from([1, 10 ** (-20 / 20), 10 ** (-80 / 20), 100]);
  const out = new Float32Array(4);
  logCompress(env, 0, 40, out);
  assert.ok(Math.abs(out[0] - 255) < 0.05);
  assert.ok(Math.abs(out[1] - 127.5) < 0.05);
  assert.equal(out[2], 0);
  assert.equal(out[3], 255);
});

Deno.test("tissue speckle is coherent with motion; blood speckle decorrelates frame to frame", () => {
  const p = samplePatient(11, { pediatric: false });
  const view = apicalView("A4C", { patient: p, rng: Random.from(5), chestWall: 1.5 });
  const grid = makePolarGrid(96, 80, 16, 0.65);
  const pose = { rotation: 0, shiftX: 0, shiftZ: 0, respX: 0, respZ: 0 };
  const tissue = buildTissue(view.scene, grid, pose, Random.from(9), {
    density: 2,
    wavelength: 0.0616,
    textureSeed: 1,
  });
  assert.ok(tissue.blood.some((b) => b === 1), "the A4C scene has blood scatterers");
  const render = (seed: number, bloodOnly: boolean) => {
    const img = makeComplexImage(grid);
    const amp = tissue.amp.slice();
    for (let k = 0; k < tissue.count; k++) if ((tissue.blood[k] === 1) !== bloodOnly) tissue.amp[k] = 0;
    splatMovingTissue(tissue, REFERENCE_STATE, img, Random.from(seed));
    tissue.amp.set(amp);
    return img;
  };
  // Same moment, different frame streams: tissue identical, blood different.
  assert.deepEqual(render(1, false).re, render(2, false).re);
  const b1 = render(1, true), b2 = render(2, true);
  let dot = 0, n1 = 0, n2 = 0;
  for (let k = 0; k < b1.re.length; k++) {
    dot += b1.re[k] * b2.re[k] + b1.im[k] * b2.im[k];
    n1 += b1.re[k] ** 2 + b1.im[k] ** 2;
    n2 += b2.re[k] ** 2 + b2.im[k] ** 2;
  }
  assert.ok(
    n1 > 0 && Math.abs(dot / Math.sqrt(n1 * n2)) < 0.2,
    `blood correlation ${dot / Math.sqrt(n1 * n2)}`,
  );
});

Deno.test("side-lobe haze spreads a bright beam's power to its neighbours at the set level", () => {
  const grid = makePolarGrid(8, 32, 5, 0.5);
  const env = new Float32Array(8 * 32);
  env[3 * 32 + 16] = 1; // one bright sample
  addSidelobeHaze(env, grid, -20, 4, new Float32Array(32));
  const neighbour = env[3 * 32 + 14], far = env[3 * 32 + 25];
  // Mean power over 9 beams is 1/9; at −20 dB that is 1/900 in power.
  assert.ok(Math.abs(neighbour - Math.sqrt(1 / 900)) < 1e-6, `neighbour ${neighbour}`);
  assert.equal(far, 0);
  assert.equal(env[2 * 32 + 16], 0, "other depths untouched");
});

Deno.test("scaleSpeckle multiplies speckle's log contrast by the strength and keeps the low-frequency image", () => {
  const grid = makePolarGrid(64, 64, 16, 0.65);
  const rng = Random.from(3);
  const base = new Float32Array(64 * 64);
  // Two echogenicity regions (a 10× step) times Rayleigh speckle of unit mean square, independent per sample.
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++) {
      const level = i < 32 ? 1 : 10;
      base[i * 64 + j] = level * Math.sqrt(-Math.log(1 - rng.next()));
    }
  }
  const logStd = (env: Float32Array, rows: [number, number]): number => {
    const v: number[] = [];
    for (let i = rows[0]; i < rows[1]; i++) for (let j = 8; j < 56; j++) v.push(Math.log(env[i * 64 + j]));
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };
  const scratch = { log: new Float32Array(64 * 64), mean: new Float32Array(64 * 64) };
  const reference = logStd(base, [4, 28]);
  // Rayleigh amplitude: std of ln(envelope) is π/√24 ≈ 0.641 (5.57 dB).
  assert.ok(Math.abs(reference - Math.PI / Math.sqrt(24)) < 0.05, `log std ${reference}`);
  const unchanged = Float32Array.from(base);
  scaleSpeckle(unchanged, grid, 1, 3, 3, scratch);
  assert.deepEqual(unchanged, base);
  for (const strength of [0, 0.5, 2]) {
    const env = Float32Array.from(base);
    scaleSpeckle(env, grid, strength, 3, 3, scratch);
    const ratio = logStd(env, [4, 28]) / reference;
    // The 7×7 local mean keeps 1/49 of the independent samples' variance (and is uncorrelated with the residual),
    // so the log std becomes √(1/49 + s² · 48/49) of the original: 0.14 at s = 0, 0.52 at 0.5, 1.98 at 2.
    const expected = Math.sqrt(1 / 49 + (strength * strength * 48) / 49);
    assert.ok(
      Math.abs(ratio - expected) < 0.05,
      `strength ${strength}: ratio ${ratio}, expected ${expected}`,
    );
    // The anatomy survives: the bright region stays ≈ 10× (20 dB, ln 10 ≈ 2.3) above the dark one in log mean.
    const meanLog = (rows: [number, number]): number => {
      let s = 0, n = 0;
      for (let i = rows[0]; i < rows[1]; i++) {
        for (let j = 8; j < 56; j++, n++) s += Math.log(env[i * 64 + j]);
      }
      return s / n;
    };
    assert.ok(Math.abs(meanLog([40, 60]) - meanLog([4, 24]) - Math.log(10)) < 0.1);
  }
});
