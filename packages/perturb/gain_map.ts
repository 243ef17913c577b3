/**
 * Applying a static `[H, W]` gain map to every frame and channel of a clip, the way the reference applies its
 * perturbations (multiply, clip to the valid range, back to the clip's sample type).
 *
 * @module
 */

import { type Clip, type ClipData, clipDims, makeClip, rowMajorData } from "@echojepa/core";

/**
 * Returns a new clip with every sample multiplied by the map value of its pixel. uint8 results are rounded to the
 * nearest level and clipped to 0–255; float32 results are clipped to [0, maxValue] (default 255).
 *
 * The reference works on float [0, 1] frames and then re-encodes with H.264 (CRF 18); its exact rounding is lost in
 * that lossy step, so nearest-level rounding is used here.
 */
export function applyGainMap<D extends ClipData>(
  clip: Clip<D>,
  map: Float32Array,
  maxValue = 255,
): Clip<D> {
  const { frames, height, width, channels } = clipDims(clip, "applyGainMap");
  if (map.length !== height * width) {
    throw new RangeError(`applyGainMap: map has ${map.length} values, frame is ${height}×${width}`);
  }
  const src = rowMajorData(clip);
  const pixels = height * width;
  if (src instanceof Uint8Array) {
    const out = new Uint8Array(src.length);
    for (let t = 0; t < frames; t++) {
      for (let p = 0; p < pixels; p++) {
        const gain = map[p];
        const base = (t * pixels + p) * channels;
        for (let c = 0; c < channels; c++) {
          // Explicit clamp: a Uint8Array store wraps modulo 256 instead of saturating.
          out[base + c] = Math.min(255, Math.max(0, Math.round(src[base + c] * gain)));
        }
      }
    }
    return makeClip(out as D, clip.shape);
  }
  const out = new Float32Array(src.length);
  for (let t = 0; t < frames; t++) {
    for (let p = 0; p < pixels; p++) {
      const gain = map[p];
      const base = (t * pixels + p) * channels;
      for (let c = 0; c < channels; c++) {
        out[base + c] = Math.min(Math.max(src[base + c] * gain, 0), maxValue);
      }
    }
  }
  return makeClip(out as D, clip.shape);
}
