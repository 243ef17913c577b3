/**
 * Partial wall dropout: where a wall runs nearly parallel to the beam its specular echo misses the probe and a
 * stretch of it vanishes. Modelled as a few soft elliptical patches in (depth, lateral) beam coordinates in which
 * bright structures (walls) lose most of their echo; dark cavities are left alone. Stationary over the clip.
 *
 * @module
 */

import type { Random } from "@echojepa/core";
import type { BeamCoordinates } from "../geometry.ts";
import { type Presets, raisedCosineStep } from "../levels.ts";

/** Parameters of {@link wallDropoutPatches}. */
export interface WallDropoutParams {
  /** Number of dropout patches. */
  patches: number;
  /** Fraction of a bright echo removed at a patch centre, 0…1. */
  strength: number;
  /** Patch half-size along depth, as a fraction of the imaging depth. Default 0.15. */
  depthHalfSize?: number;
  /** Patch half-size across the sector, lateral units. Default 0.25. */
  lateralHalfSize?: number;
  /** Grey fraction (of white) above which a pixel counts as wall; fully from 0.2 above it. Default 0.3. */
  brightnessThreshold?: number;
}

/** Presets: 1 / 2 / 3 patches removing 60 / 80 / 95 % of the wall echo. */
export const WALL_DROPOUT_PRESETS: Presets<WallDropoutParams> = {
  low: { patches: 1, strength: 0.6 },
  medium: { patches: 2, strength: 0.8 },
  high: { patches: 3, strength: 0.95 },
};

/**
 * Per-pixel dropout amount in [0, strength]: the maximum over patches of a raised-cosine ellipse profile. Patch
 * centres are drawn with depth ∈ U(0.2, 0.8), lateral ∈ U(−0.7, 0.7).
 */
export function wallDropoutPatches(
  coords: BeamCoordinates,
  params: WallDropoutParams,
  rng: Random,
): Float32Array {
  const dh = params.depthHalfSize ?? 0.15;
  const lh = params.lateralHalfSize ?? 0.25;
  if (!(params.strength >= 0 && params.strength <= 1 && dh > 0 && lh > 0 && params.patches >= 0)) {
    throw new RangeError(`wallDropoutPatches: bad parameters ${JSON.stringify(params)}`);
  }
  const centers = Array.from({ length: params.patches }, () => ({
    depth: rng.uniform(0.2, 0.8),
    lateral: rng.uniform(-0.7, 0.7),
  }));
  const out = new Float32Array(coords.depth.length);
  for (let i = 0; i < out.length; i++) {
    if (!coords.inside[i]) continue;
    let amount = 0;
    for (const c of centers) {
      const r = Math.hypot((coords.depth[i] - c.depth) / dh, (coords.lateral[i] - c.lateral) / lh);
      amount = Math.max(amount, 1 - raisedCosineStep(r));
    }
    out[i] = params.strength * amount;
  }
  return out;
}

/** How much a pixel of grey fraction `g` (0…1) counts as wall: 0 below the threshold, 1 from 0.2 above it. */
export function wallWeight(g: number, threshold = 0.3): number {
  return raisedCosineStep((g - threshold) / 0.2);
}
