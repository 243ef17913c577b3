/**
 * The point-spread function: a separable Gaussian, axial (the pulse envelope) × lateral (the beam profile),
 * applied to the splatted complex scatterer map. Convolution is linear, so a static background can be convolved
 * once per clip and added to every frame.
 */

import type { ComplexImage, PolarGrid } from "./polar_grid.ts";

/** A normalised-to-peak Gaussian kernel of standard deviation `sigma` samples, truncated at 3σ (radius ≥ 1). */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) throw new Error(`gaussianKernel: sigma must be positive, got ${sigma}`);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  for (let i = -radius; i <= radius; i++) k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return k;
}

/** Sum of squares of a kernel (its energy, used to normalise the tissue level). */
export function kernelEnergy(k: Float32Array): number {
  let s = 0;
  for (const v of k) s += v * v;
  return s;
}

/**
 * Convolves a complex polar image with axial kernel `kr` (along depth) and lateral kernel `kt` (along beams),
 * writing into `out` and using `tmp` as scratch (both must be the image's size). Zero padding at the edges.
 */
export function convolvePsf(
  src: ComplexImage,
  grid: PolarGrid,
  kr: Float32Array,
  kt: Float32Array,
  tmp: ComplexImage,
  out: ComplexImage,
): void {
  const { nr, nt } = grid;
  // Lateral pass: along j within each row.
  const rt = (kt.length - 1) >> 1;
  const sre = src.re, sim = src.im;
  for (let i = 0; i < nr; i++) {
    const row = i * nt;
    for (let j = 0; j < nt; j++) {
      let sr = 0, si = 0;
      if (j >= rt && j < nt - rt) {
        // Interior: no bounds to check (the common case, kept tight for the JIT).
        const base = row + j - rt;
        for (let d = 0; d < kt.length; d++) {
          const w = kt[d];
          sr += w * sre[base + d];
          si += w * sim[base + d];
        }
      } else {
        const lo = Math.max(-rt, -j), hi = Math.min(rt, nt - 1 - j);
        for (let d = lo; d <= hi; d++) {
          const w = kt[d + rt];
          sr += w * sre[row + j + d];
          si += w * sim[row + j + d];
        }
      }
      tmp.re[row + j] = sr;
      tmp.im[row + j] = si;
    }
  }
  // Axial pass: along i, accumulated row by row for cache-friendly access.
  const rr = (kr.length - 1) >> 1;
  const ore = out.re, oim = out.im, tre = tmp.re, tim = tmp.im;
  ore.fill(0);
  oim.fill(0);
  for (let i = 0; i < nr; i++) {
    const lo = Math.max(-rr, -i), hi = Math.min(rr, nr - 1 - i);
    const dst = i * nt;
    for (let d = lo; d <= hi; d++) {
      const w = kr[d + rr];
      const srcRow = (i + d) * nt;
      for (let j = 0; j < nt; j++) {
        ore[dst + j] += w * tre[srcRow + j];
        oim[dst + j] += w * tim[srcRow + j];
      }
    }
  }
}
