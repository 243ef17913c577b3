/**
 * Rib shadow: a rib blocks the beam, so every ray through it is dark from the rib's depth onwards. In a sector
 * this is an angular wedge (not a vertical band) starting at a depth, with raised-cosine edges in angle and depth.
 *
 * @module
 */

import type { Random } from "@echojepa/core";
import type { BeamCoordinates } from "../geometry.ts";
import { type Presets, raisedCosineStep } from "../levels.ts";

/** Parameters of {@link ribShadowWeights}; lateral sizes are in the −1…+1 units of `BeamCoordinates.lateral`. */
export interface RibShadowParams {
  /** Envelope factor in the fully shadowed core (0.05–0.3 for a rib; 1 = no shadow). */
  attenuation: number;
  /** Half-width of the fully shadowed wedge, lateral units (0.1 ≈ 5 % of the sector width each side). */
  halfWidth: number;
  /** Width of the raised-cosine taper beyond `halfWidth`, lateral units. */
  edge: number;
  /** Depth where the rib sits and the shadow starts, cm. */
  startDepthCm: number;
  /** Depth over which the shadow fades in behind the rib, cm. Default 0.5. */
  onsetCm?: number;
  /** Lateral centre of the wedge; drawn from U(−0.6, 0.6) per clip when absent. */
  center?: number;
}

/** Presets: milder shadows are narrower, start deeper and let more energy through. */
export const RIB_SHADOW_PRESETS: Presets<RibShadowParams> = {
  low: { attenuation: 0.3, halfWidth: 0.08, edge: 0.04, startDepthCm: 3 },
  medium: { attenuation: 0.15, halfWidth: 0.12, edge: 0.05, startDepthCm: 2 },
  high: { attenuation: 0.05, halfWidth: 0.18, edge: 0.06, startDepthCm: 1 },
};

/**
 * Shadow weight per pixel in [0, 1] (1 = full shadow): the product of an angular profile (1 within `halfWidth` of
 * the centre, raised-cosine to 0 over `edge`) and a depth onset (0 before `startDepthCm`, 1 after the onset).
 */
export function ribShadowWeights(
  coords: BeamCoordinates,
  params: RibShadowParams,
  rng: Random,
): Float32Array {
  const center = params.center ?? rng.uniform(-0.6, 0.6);
  const onsetCm = params.onsetCm ?? 0.5;
  if (!(params.halfWidth >= 0 && params.edge >= 0 && onsetCm >= 0)) {
    throw new RangeError(`ribShadowWeights: widths must be ≥ 0, got ${JSON.stringify(params)}`);
  }
  const weights = new Float32Array(coords.depth.length);
  for (let i = 0; i < weights.length; i++) {
    if (coords.inside[i] === 0) continue;
    const off = Math.abs(coords.lateral[i] - center) - params.halfWidth;
    const angular = off <= 0 ? 1 : params.edge > 0 ? 1 - raisedCosineStep(off / params.edge) : 0;
    if (angular === 0) continue;
    const depthCm = coords.depth[i] * coords.depthCm - params.startDepthCm;
    const onset = depthCm < 0 ? 0 : onsetCm > 0 ? raisedCosineStep(depthCm / onsetCm) : 1;
    weights[i] = angular * onset;
  }
  return weights;
}

/** Envelope gain per pixel: attenuation^weight, so the shadow edge blends smoothly in dB. */
export function ribShadowGain(coords: BeamCoordinates, params: RibShadowParams, rng: Random): Float32Array {
  if (!(params.attenuation > 0 && params.attenuation <= 1)) {
    throw new RangeError(`ribShadowGain: attenuation must be in (0, 1], got ${params.attenuation}`);
  }
  const weights = ribShadowWeights(coords, params, rng);
  const logA = Math.log(params.attenuation);
  return weights.map((w) => Math.exp(w * logA));
}
