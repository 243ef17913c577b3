import assert from "node:assert/strict";
import { detectEnvelope, logCompress, receiveGains } from "./bmode.ts";
import { makeComplexImage, makePolarGrid } from "./polar_grid.ts";
import { convolvePsf, gaussianKernel, kernelEnergy } from "./psf.ts";
import { Rng } from "./rng.ts";
import { REFERENCE_STATE } from "./scene_parts.ts";
import { buildTissue, splatMovingTissue } from "./tissue.ts";
import { apicalView } from "./scenes_apical.ts";
import { samplePatient } from "./patient.ts";

/** Envelope of homogeneous unit-echo tissue on a 10 cm, 69° sector through the clip's PSF and receive chain. */
function homogeneousEnvelope(seed: number, density: number) {
  const grid = makePolarGrid(160, 140, 10, 0.6);
  const scene = { structures: [], backgroundEcho: () => 1, chestWallDepth: 0, clutter: 0 };
  const pose = { rotation: 0, shiftX: 0, shiftZ: 0, respX: 0, respZ: 0 };
  const tissue = buildTissue(scene, grid, pose, new Rng(seed), {
    density,
    wavelength: 0.0616,
    textureSeed: 1,
    heterogeneity: 0,
  });
  const kr = gaussianKernel(0.9), kt = gaussianKernel(1.2);
  const reference = Math.sqrt(density * kernelEnergy(kr) * kernelEnergy(kt));
  const iq = makeComplexImage(grid), tmp = makeComplexImage(grid);
  convolvePsf(tissue.staticMap, grid, kr, kt, tmp, iq);
  const gains = receiveGains(grid, {
    attenuation: 0,
    frequencyMHz: 2.5,
    tgc: 0,
    noiseDb: -300,
    gainDb: 0,
    dynamicRangeDb: 60,
    edgeFalloff: 0,
    reference,
  });
  const env = new Float32Array(grid.nr * grid.nt);
  detectEnvelope(iq, grid, gains, reference, new Rng(2), env);
  // Interior samples only (the PSF's zero padding darkens the edges).
  const vals: number[] = [];
  for (let i = 8; i < grid.nr - 8; i++) for (let j = 8; j < grid.nt - 8; j++) vals.push(env[i * grid.nt + j]);
  return { env, vals };
}

function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const varc = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return { mean, std: Math.sqrt(varc) };
}

Deno.test("homogeneous tissue gives Rayleigh speckle: envelope mean/std within 10 % of 1.91", () => {
  for (const seed of [1, 2, 3]) {
    const { vals } = homogeneousEnvelope(seed, 2);
    const { mean, std } = meanStd(vals);
    const snr = mean / std;
    assert.ok(Math.abs(snr - 1.91) / 1.91 < 0.1, `seed ${seed}: envelope SNR ${snr.toFixed(3)}`);
    // The reference level makes the RMS envelope of unit-echo tissue ≈ 1 (0 dB).
    const rms = Math.sqrt(vals.reduce((a, b) => a + b * b, 0) / vals.length);
    assert.ok(Math.abs(rms - 1) < 0.15, `RMS envelope ${rms.toFixed(3)}`);
  }
});

Deno.test("log compression maps the white level to 255 and white − DR to 0", () => {
  const env = Float32Array.from([1, 10 ** (-20 / 20), 10 ** (-80 / 20), 100]);
  const out = new Float32Array(4);
  logCompress(env, 0, 40, out);
  assert.ok(Math.abs(out[0] - 255) < 1e-3);
  assert.ok(Math.abs(out[1] - 127.5) < 1e-3);
  assert.equal(out[2], 0);
  assert.equal(out[3], 255);
});

Deno.test("tissue speckle is coherent with motion; blood speckle decorrelates frame to frame", () => {
  const p = samplePatient(11, { pediatric: false });
  const view = apicalView("A4C", { patient: p, rng: new Rng(5), chestWall: 1.5 });
  const grid = makePolarGrid(96, 80, 16, 0.65);
  const pose = { rotation: 0, shiftX: 0, shiftZ: 0, respX: 0, respZ: 0 };
  const tissue = buildTissue(view.scene, grid, pose, new Rng(9), {
    density: 2,
    wavelength: 0.0616,
    textureSeed: 1,
  });
  assert.ok(tissue.blood.some((b) => b === 1), "the A4C scene has blood scatterers");
  const render = (seed: number, bloodOnly: boolean) => {
    const img = makeComplexImage(grid);
    const amp = tissue.amp.slice();
    for (let k = 0; k < tissue.count; k++) if ((tissue.blood[k] === 1) !== bloodOnly) tissue.amp[k] = 0;
    splatMovingTissue(tissue, REFERENCE_STATE, img, new Rng(seed));
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
