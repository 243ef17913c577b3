/**
 * Recovering the fan geometry (apex, edge angles, radius) from a binary sector mask, such as the one
 * `@echojepa/video`'s sector detection returns, so the physical perturbations can follow the beam.
 *
 * @module
 */

import type { SectorGeometry } from "./geometry.ts";

function fitLine(ys: number[], xs: number[]): { intercept: number; slope: number } {
  const n = ys.length;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (ys[i] - my) * (xs[i] - mx);
    den += (ys[i] - my) ** 2;
  }
  const slope = den > 0 ? num / den : 0;
  return { intercept: mx - slope * my, slope };
}

/**
 * Fits a sector to a mask (`height × width`, non-zero inside): straight lines through the leftmost and rightmost
 * mask pixels of the rows in the upper part of the mask (where the fan's sides are straight), their intersection
 * as the apex, their slopes as the edge angles, and the farthest mask pixel from the apex as the radius.
 * Returns null when the mask does not widen downwards like a fan (fewer than 5 rows, or parallel sides).
 */
export function sectorFromMask(
  mask: Uint8Array,
  width: number,
  height: number,
  depthCm?: number,
): SectorGeometry | null {
  if (mask.length !== width * height) {
    throw new RangeError(`sectorFromMask: mask has ${mask.length} values, frame is ${height}×${width}`);
  }
  const left: number[] = [];
  const right: number[] = [];
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    let lo = -1;
    let hi = -1;
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        if (lo < 0) lo = x;
        hi = x;
      }
    }
    if (lo >= 0) {
      rows.push(y);
      left.push(lo);
      right.push(hi);
    }
  }
  if (rows.length < 5) return null;
  // The sides are straight from the apex down to where the far arc begins; use the 5 %–50 % band of the rows.
  const top = rows[0];
  const span = rows[rows.length - 1] - top;
  const pick = rows.map((y, i) => ({ y, i })).filter(({ y }) =>
    y >= top + 0.05 * span && y <= top + 0.5 * span
  );
  if (pick.length < 5) return null;
  const l = fitLine(pick.map((p) => p.y), pick.map((p) => left[p.i]));
  const r = fitLine(pick.map((p) => p.y), pick.map((p) => right[p.i] + 1)); // right edge of the last pixel
  const widening = r.slope - l.slope;
  if (!(widening > 0.05)) return null;
  const apexY = (l.intercept - r.intercept) / widening;
  const apexX = l.intercept + l.slope * apexY;
  let radius = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) radius = Math.max(radius, Math.hypot(x + 0.5 - apexX, y + 0.5 - apexY));
    }
  }
  return {
    apexX,
    apexY,
    angleStart: Math.atan(l.slope),
    angleEnd: Math.atan(r.slope),
    radius,
    ...(depthCm !== undefined ? { depthCm } : {}),
  };
}
