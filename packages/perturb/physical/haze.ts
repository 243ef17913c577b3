/**
 * Near-field haze / apical clutter: stationary low-level echoes in the first centimetres (reverberation between
 * the transducer and the chest wall), strongest at the apex. Added to the envelope, so it fills dark cavities and
 * barely changes bright tissue; the same pattern on every frame, since clutter does not move with the heart.
 *
 * @module
 */

import type { Random } from "@echojepa/core";
import type { BeamCoordinates } from "../geometry.ts";
import type { Presets } from "../levels.ts";
import { smoothRandomField } from "./smooth_field.ts";

/** Parameters of {@link hazeEnvelope}. */
export interface HazeParams {
  /** Peak added envelope amplitude at the apex (1 = white). */
  amplitude: number;
  /** Depth over which the haze falls by 1/e, cm. Default 1.2. */
  decayCm?: number;
  /** Coarseness of its texture: grid cells per axis of the smooth random field. Default 6. */
  cells?: number;
}

/**
 * Presets: amplitude 0.01 / 0.02 / 0.04 (−40 / −34 / −28 dB re white at the apex, i.e. grey ≈ 85 / 111 / 136 on a
 * 60 dB display before the texture factor), 1/e depth 1.2 cm. Calibrated on the real A4C sample, whose tissue sits
 * around −45 dB: stronger haze floods the apex white.
 */
export const HAZE_PRESETS: Presets<HazeParams> = {
  low: { amplitude: 0.01, decayCm: 1.2 },
  medium: { amplitude: 0.02, decayCm: 1.2 },
  high: { amplitude: 0.04, decayCm: 1.2 },
};

/** Envelope amplitude to add per pixel: amplitude·exp(−z/decay)·field, zero outside the sector. */
export function hazeEnvelope(coords: BeamCoordinates, params: HazeParams, rng: Random): Float32Array {
  const decayCm = params.decayCm ?? 1.2;
  if (!(params.amplitude >= 0 && decayCm > 0)) throw new RangeError(`hazeEnvelope: bad parameters`);
  const field = smoothRandomField(coords, rng, params.cells ?? 6);
  for (let i = 0; i < field.length; i++) {
    field[i] = coords.inside[i]
      ? params.amplitude * Math.exp(-(coords.depth[i] * coords.depthCm) / decayCm) * field[i]
      : 0;
  }
  return field;
}
