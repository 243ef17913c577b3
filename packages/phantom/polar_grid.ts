/**
 * The polar (depth × beam angle) grid on which the phantom beamforms, and the complex image that lives on it.
 * A phased array fires beams from one apex, so resolution is constant per sample in (depth, angle): the natural
 * grid for a convolution (COLE-style) simulator. Sample i lies at depth (i + 0.5)·dr, beam j at angle
 * −halfAngle + (j + 0.5)·dTheta, angles measured from the probe axis (positive to screen right).
 */

import { COS_TABLE, PHASE_STEPS, PHASE_STEPS_PER_RAD } from "./fast_math.ts";

/** Sampling of a sector in depth and angle. */
export interface PolarGrid {
  /** Number of depth samples. */
  nr: number;
  /** Number of beams (angle samples). */
  nt: number;
  /** Imaging depth, cm. */
  depth: number;
  /** Depth step, cm. */
  dr: number;
  /** Half the sector opening angle, radians. */
  halfAngle: number;
  /** Angle step, radians. */
  dTheta: number;
}

/** A grid of `nr × nt` samples covering `depth` cm and `2·halfAngle` radians. */
export function makePolarGrid(nr: number, nt: number, depth: number, halfAngle: number): PolarGrid {
  if (!(nr >= 8 && nt >= 8)) throw new Error(`makePolarGrid: need at least 8×8 samples, got ${nr}×${nt}`);
  if (!(depth > 0 && halfAngle > 0 && halfAngle < Math.PI / 2)) {
    throw new Error(`makePolarGrid: bad depth ${depth} cm or half angle ${halfAngle} rad`);
  }
  return { nr, nt, depth, dr: depth / nr, halfAngle, dTheta: (2 * halfAngle) / nt };
}

/** A complex image on a polar grid, row-major by depth (index i·nt + j). */
export interface ComplexImage {
  re: Float32Array;
  im: Float32Array;
}

/** A zeroed complex image for a grid. */
export function makeComplexImage(grid: PolarGrid): ComplexImage {
  const n = grid.nr * grid.nt;
  return { re: new Float32Array(n), im: new Float32Array(n) };
}

/**
 * Adds one scatterer's phasor (amplitude `amp`, phase `phase` radians) at probe-frame point (x, z), spread over
 * the four nearest samples with bilinear weights. Points outside the sector are ignored.
 */
export function splat(
  img: ComplexImage,
  grid: PolarGrid,
  x: number,
  z: number,
  amp: number,
  phase: number,
): void {
  const r = Math.sqrt(x * x + z * z);
  const fr = r / grid.dr - 0.5;
  const ft = (Math.atan2(x, z) + grid.halfAngle) / grid.dTheta - 0.5;
  if (!(fr > -1 && ft > -1 && fr < grid.nr && ft < grid.nt)) return;
  const i0 = Math.floor(fr), j0 = Math.floor(ft);
  const wr = fr - i0, wt = ft - j0;
  // Phasor from a 4096-entry table: 0.0015 rad resolution is far below what speckle statistics can see.
  const t = (phase * PHASE_STEPS_PER_RAD) & (PHASE_STEPS - 1);
  const pr = amp * COS_TABLE[t],
    pi = amp * COS_TABLE[(t + PHASE_STEPS - PHASE_STEPS / 4) & (PHASE_STEPS - 1)];
  const nt = grid.nt;
  addSample(img, grid, i0, j0, (1 - wr) * (1 - wt), pr, pi, nt);
  addSample(img, grid, i0, j0 + 1, (1 - wr) * wt, pr, pi, nt);
  addSample(img, grid, i0 + 1, j0, wr * (1 - wt), pr, pi, nt);
  addSample(img, grid, i0 + 1, j0 + 1, wr * wt, pr, pi, nt);
}

function addSample(
  img: ComplexImage,
  grid: PolarGrid,
  i: number,
  j: number,
  w: number,
  pr: number,
  pi: number,
  nt: number,
): void {
  if (i < 0 || j < 0 || i >= grid.nr || j >= nt) return;
  const k = i * nt + j;
  img.re[k] += w * pr;
  img.im[k] += w * pi;
}
