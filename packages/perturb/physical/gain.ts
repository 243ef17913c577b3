/**
 * Receiver gain and displayed dynamic range, the two knobs a sonographer turns most. Gain multiplies the envelope
 * (a constant dB offset, so a constant grey-level shift); a narrower dynamic range stretches contrast and pushes
 * weak echoes to black.
 *
 * @module
 */

import { type Clip, type ClipData, clipDims, makeClip, rowMajorData } from "@echojepa/core";
import { dbToGrey, greyToDb } from "../display.ts";
import { type DisplayOptions, resolveDisplay } from "../envelope.ts";
import type { Presets } from "../levels.ts";

/** Parameters of a gain change. */
export interface GainParams {
  /** Gain change in dB (negative = darker). */
  gainDb: number;
}

/** Presets: under-gained acquisitions, −3 / −5 / −8 dB (−13 / −21 / −34 grey levels on a 60 dB display). */
export const GAIN_PRESETS: Presets<GainParams> = {
  low: { gainDb: -3 },
  medium: { gainDb: -5 },
  high: { gainDb: -8 },
};

/** Parameters of a dynamic-range change. */
export interface DynamicRangeParams {
  /** Dynamic range the clip is re-displayed with, dB (the clip's own is `DisplayOptions.dynamicRangeDb`). */
  displayedDb: number;
}

/**
 * Presets from an assumed 60 dB display: 56 / 52 / 48 dB. White stays white, so weak echoes lose the most: on a
 * dark (low-gain) clip such as the real A4C sample, 48 dB already blacks out much of the myocardium.
 */
export const DYNAMIC_RANGE_PRESETS: Presets<DynamicRangeParams> = {
  low: { displayedDb: 56 },
  medium: { displayedDb: 52 },
  high: { displayedDb: 48 },
};

/**
 * Re-displays a clip with another dynamic range: each grey level is decoded to dB with the clip's range and
 * re-encoded with `params.displayedDb` (white stays white). Values at or below the clip's floor stay black.
 */
export function changeDynamicRange<D extends ClipData>(
  clip: Clip<D>,
  params: DynamicRangeParams,
  display: DisplayOptions = {},
  mask?: Uint8Array,
): Clip<D> {
  const { height, width, channels } = clipDims(clip, "changeDynamicRange");
  const { maxValue, dynamicRangeDb } = resolveDisplay(display);
  if (!(params.displayedDb > 0)) {
    throw new RangeError(`changeDynamicRange: displayedDb must be > 0, got ${params.displayedDb}`);
  }
  const pixels = height * width;
  const src = rowMajorData(clip);
  const isBytes = src instanceof Uint8Array;
  const out = (isBytes ? new Uint8Array(src) : new Float32Array(src)) as D;
  const remap = (g: number): number =>
    dbToGrey(greyToDb(g, maxValue, dynamicRangeDb), maxValue, params.displayedDb);
  const table = isBytes ? Uint8Array.from({ length: 256 }, (_, g) => Math.round(remap(g))) : null;
  for (let i = 0; i < src.length; i++) {
    if (mask && mask[Math.floor(i / channels) % pixels] === 0) continue;
    out[i] = table ? table[src[i]] : remap(src[i]);
  }
  return makeClip(out, clip.shape);
}
