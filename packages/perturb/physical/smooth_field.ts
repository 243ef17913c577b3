/**
 * A smooth, stationary random field over beam coordinates: uniform values on a coarse (depth × lateral) grid,
 * bilinearly interpolated. In a sector its blobs follow the fan; it is the texture of haze and clutter.
 *
 * @module
 */

import type { Random } from "@echojepa/core";
import type { BeamCoordinates } from "../geometry.ts";

/** Values in [0, 1] per pixel, from a `cells × cells` grid of U(0, 1) draws over depth ∈ [0, 1], lateral ∈ [−1, 1]. */
export function smoothRandomField(coords: BeamCoordinates, rng: Random, cells = 6): Float32Array {
  if (!(Number.isInteger(cells) && cells >= 2)) throw new RangeError(`smoothRandomField: cells must be ≥ 2`);
  const grid = Float64Array.from({ length: cells * cells }, () => rng.next());
  const field = new Float32Array(coords.depth.length);
  for (let i = 0; i < field.length; i++) {
    const u = Math.min(Math.max(coords.depth[i], 0), 1) * (cells - 1);
    const v = Math.min(Math.max((coords.lateral[i] + 1) / 2, 0), 1) * (cells - 1);
    const u0 = Math.min(Math.floor(u), cells - 2);
    const v0 = Math.min(Math.floor(v), cells - 2);
    const fu = u - u0;
    const fv = v - v0;
    const g = (a: number, b: number): number => grid[(u0 + a) * cells + v0 + b];
    field[i] = (1 - fu) * ((1 - fv) * g(0, 0) + fv * g(0, 1)) + fu * ((1 - fv) * g(1, 0) + fv * g(1, 1));
  }
  return field;
}
