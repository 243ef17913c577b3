/**
 * Applying an envelope-domain operation to every sample of a clip: decode the grey level to a linear envelope
 * (see `display.ts`), apply the operation, log-compress back, keep the clip's sample type.
 *
 * @module
 */

import { type Clip, type ClipData, clipDims, makeClip, rowMajorData } from "@echojepa/core";
import { DEFAULT_DYNAMIC_RANGE_DB, envelopeToGrey, greyToEnvelope } from "./display.ts";

/** How grey levels relate to echo amplitude. */
export interface DisplayOptions {
  /** Grey level of white: 255 for uint8 and 0–255 floats (default), 1 for 0–1 floats. */
  maxValue?: number;
  /** Displayed dynamic range in dB. Default 60. */
  dynamicRangeDb?: number;
}

/** {@link DisplayOptions} with defaults filled in and checked. */
export function resolveDisplay(options: DisplayOptions = {}): Required<DisplayOptions> {
  const maxValue = options.maxValue ?? 255;
  const dynamicRangeDb = options.dynamicRangeDb ?? DEFAULT_DYNAMIC_RANGE_DB;
  if (!(maxValue > 0)) throw new RangeError(`display: maxValue must be > 0, got ${maxValue}`);
  if (!(dynamicRangeDb > 0)) {
    throw new RangeError(`display: dynamicRangeDb must be > 0, got ${dynamicRangeDb}`);
  }
  return { maxValue, dynamicRangeDb };
}

/**
 * Maps one envelope amplitude (1 = white) of pixel `pixel` (row-major index in the frame) in frame `frame` to a
 * new amplitude. Samples that are exactly black are passed as envelope 10^(−DR/20).
 */
export type EnvelopeOp = (envelope: number, pixel: number, frame: number) => number;

/**
 * A new clip with `op` applied to each sample's envelope (all channels of a pixel get the same op value), only where
 * `mask` (if given, `[H, W]`) is non-zero. uint8 results are rounded to the nearest level.
 */
export function mapEnvelope<D extends ClipData>(
  clip: Clip<D>,
  op: EnvelopeOp,
  display: DisplayOptions = {},
  mask?: Uint8Array,
): Clip<D> {
  const { frames, height, width, channels } = clipDims(clip, "mapEnvelope");
  const { maxValue, dynamicRangeDb } = resolveDisplay(display);
  const pixels = height * width;
  if (mask && mask.length !== pixels) {
    throw new RangeError(`mapEnvelope: mask has ${mask.length} values, frame is ${height}×${width}`);
  }
  const src = rowMajorData(clip);
  const isBytes = src instanceof Uint8Array;
  const out = (isBytes ? new Uint8Array(src) : new Float32Array(src)) as D;
  // uint8 decodes through a 256-entry table; the envelope function is the costly part.
  const table = isBytes
    ? Float64Array.from({ length: 256 }, (_, g) => greyToEnvelope(g, maxValue, dynamicRangeDb))
    : null;
  for (let t = 0; t < frames; t++) {
    for (let p = 0; p < pixels; p++) {
      if (mask && mask[p] === 0) continue;
      const base = (t * pixels + p) * channels;
      for (let c = 0; c < channels; c++) {
        const v = src[base + c];
        const envelope = table ? table[v] : greyToEnvelope(v, maxValue, dynamicRangeDb);
        const grey = envelopeToGrey(op(envelope, p, t), maxValue, dynamicRangeDb);
        out[base + c] = isBytes ? Math.round(grey) : grey;
      }
    }
  }
  return makeClip(out, clip.shape);
}
