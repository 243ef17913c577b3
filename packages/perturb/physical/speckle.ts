/**
 * Multiplicative speckle noise: each envelope sample is multiplied by max(0, 1 + σ·n), n ~ N(0, 1), with new noise
 * on every frame (decorrelated speckle, as with a moving probe or blood).
 *
 * @module
 */

import type { Random } from "@echojepa/core";
import type { Presets } from "../levels.ts";

/** Parameters of speckle noise. */
export interface SpeckleParams {
  /** Standard deviation σ of the multiplicative factor. */
  sigma: number;
}

/** Presets: σ = 0.15 / 0.3 / 0.5. */
export const SPECKLE_PRESETS: Presets<SpeckleParams> = {
  low: { sigma: 0.15 },
  medium: { sigma: 0.3 },
  high: { sigma: 0.5 },
};

/** One frame of multiplicative factors, `pixels` long, drawn from `rng` in pixel order. */
export function speckleFactors(pixels: number, params: SpeckleParams, rng: Random): Float32Array {
  if (!(params.sigma >= 0)) throw new RangeError(`speckleFactors: sigma must be ≥ 0, got ${params.sigma}`);
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = Math.max(0, 1 + params.sigma * rng.normal());
  return out;
}
