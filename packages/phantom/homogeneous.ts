/**
 * A speckle self-check: beamforms a patch of homogeneous tissue through the same scatterer, PSF and receive
 * chain as the clips, and returns its envelope before log compression (fully developed speckle should be
 * Rayleigh: envelope mean/std ≈ 1.91).
 */

import { detectEnvelope, receiveGains } from "./bmode.ts";
import { makeComplexImage, makePolarGrid } from "./polar_grid.ts";
import { convolvePsf, gaussianKernel, kernelEnergy } from "./psf.ts";
import { Random } from "@echojepa/core";
import { buildTissue } from "./tissue.ts";

/** Envelope samples of homogeneous unit-echo tissue (interior of a 10 cm, 69° sector; edges excluded). */
export function homogeneousEnvelope(seed: number, density = 2): Float32Array {
  const grid = makePolarGrid(160, 140, 10, 0.6);
  const scene = { structures: [], backgroundEcho: () => 1, chestWallDepth: 0, clutter: 0 };
  const pose = { rotation: 0, shiftX: 0, shiftZ: 0, respX: 0, respZ: 0 };
  const tissue = buildTissue(scene, grid, pose, Random.from(seed), {
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
  detectEnvelope(iq, grid, gains, reference, Random.from(seed + 1), env);
  // Interior samples only: the PSF's zero padding darkens the edges.
  const m = 8;
  const out = new Float32Array((grid.nr - 2 * m) * (grid.nt - 2 * m));
  let k = 0;
  for (let i = m; i < grid.nr - m; i++) for (let j = m; j < grid.nt - m; j++) out[k++] = env[i * grid.nt + j];
  return out;
}

/** Mean / standard deviation of a sample (the envelope SNR for speckle). */
export function snr(values: ArrayLike<number>): number {
  let s = 0, s2 = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const mean = s / values.length;
  for (let i = 0; i < values.length; i++) s2 += (values[i] - mean) ** 2;
  return mean / Math.sqrt(s2 / values.length);
}
