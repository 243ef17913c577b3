/**
 * Reverberation bands: sound bouncing between the transducer and a strong near-field reflector returns as
 * replicas of that layer at multiples of its depth, each weaker by a constant factor. Stationary, confined to the
 * rays that hit the reflector.
 *
 * @module
 */

import type { Random } from "@echojepa/core";
import type { BeamCoordinates } from "../geometry.ts";
import { type Presets, raisedCosineStep } from "../levels.ts";

/** Parameters of {@link reverberationEnvelope}. */
export interface ReverberationParams {
  /** Envelope amplitude of the first replica (1 = white). */
  amplitude: number;
  /** Depth of the reflecting layer, cm; replicas sit at 2×, 3×, … this depth. */
  layerDepthCm: number;
  /** Number of replicas. */
  repeats: number;
  /** Amplitude ratio between successive replicas. */
  decay: number;
  /** Gaussian half-thickness (σ) of each band, cm. Default 0.15. */
  thicknessCm?: number;
  /** Lateral half-width of the reflector, lateral units; raised-cosine taper of 0.1 beyond. Default 0.35. */
  halfWidth?: number;
  /** Lateral centre of the reflector; drawn from U(−0.4, 0.4) per clip when absent. */
  center?: number;
}

/**
 * Presets: replicas of a 1.5 cm layer, the first at envelope 0.006 / 0.012 / 0.02 (−44 / −38 / −34 dB re white,
 * comparable to tissue echoes), with 2 / 3 / 4 repeats.
 */
export const REVERBERATION_PRESETS: Presets<ReverberationParams> = {
  low: { amplitude: 0.006, layerDepthCm: 1.5, repeats: 2, decay: 0.6 },
  medium: { amplitude: 0.012, layerDepthCm: 1.5, repeats: 3, decay: 0.65 },
  high: { amplitude: 0.02, layerDepthCm: 1.5, repeats: 4, decay: 0.7 },
};

/** Envelope amplitude to add per pixel: Σₖ amplitude·decayᵏ⁻¹·exp(−(z − (k+1)·z₀)²/2σ²) × lateral profile. */
export function reverberationEnvelope(
  coords: BeamCoordinates,
  params: ReverberationParams,
  rng: Random,
): Float32Array {
  const thickness = params.thicknessCm ?? 0.15;
  const halfWidth = params.halfWidth ?? 0.35;
  const center = params.center ?? rng.uniform(-0.4, 0.4);
  if (!(params.amplitude >= 0 && params.layerDepthCm > 0 && thickness > 0 && params.repeats >= 0)) {
    throw new RangeError(`reverberationEnvelope: bad parameters ${JSON.stringify(params)}`);
  }
  const out = new Float32Array(coords.depth.length);
  for (let i = 0; i < out.length; i++) {
    if (!coords.inside[i]) continue;
    const off = Math.abs(coords.lateral[i] - center) - halfWidth;
    const lateral = off <= 0 ? 1 : 1 - raisedCosineStep(off / 0.1);
    if (lateral === 0) continue;
    const z = coords.depth[i] * coords.depthCm;
    let sum = 0;
    for (let k = 1; k <= params.repeats; k++) {
      const dz = z - (k + 1) * params.layerDepthCm;
      sum += params.amplitude * params.decay ** (k - 1) * Math.exp(-(dz * dz) / (2 * thickness * thickness));
    }
    out[i] = lateral * sum;
  }
  return out;
}
