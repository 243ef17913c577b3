/**
 * The clip → model-input transforms: the pretraining random-resized crop (one crop for all frames) and the
 * evaluation short-side resize with centre crop. Both return float32 `[C, T, H, W]`.
 *
 * @module
 */

import { type Clip, clipDims } from "@echojepa/core";
import {
  type CropBox,
  ECHOJEPA_CROP_RANGE,
  type ResizedCropRange,
  sampleResizedCrop,
  shortSideResizeCenterCrop,
} from "./crop.ts";
import { type Normalization, normalizationAffine, standardizePerChannel } from "./normalize.ts";
import { bilinearAxisTaps, type ChannelMap, resampleToChannelsFirst } from "./resample.ts";
import type { Random } from "@echojepa/core";

/** A model-ready clip: float32 `[C, T, H, W]`, with the crop that produced it. */
export interface ModelInput {
  /** Values, channels-first. */
  data: Float32Array;
  /** `[C, T, H, W]`. */
  shape: [number, number, number, number];
  /** The source window that was resized (in source pixels). */
  crop: CropBox;
  /** Whether the clip was mirrored left–right. */
  flipped: boolean;
}

/** Options shared by the training and evaluation transforms. */
export interface InputFormatOptions {
  /** Output side length in pixels (square output). Default 224. */
  cropSize?: number;
  /** Output channels: 3 (grey is replicated; the default) or 1 (colour is averaged). */
  outputChannels?: 1 | 3;
  /** Intensity normalisation. Default `"imagenet"`, as the reference. */
  normalization?: Normalization;
  /**
   * Factor that brings input values to the 0–255 scale before normalisation: 1 for uint8 and 0–255 floats (the
   * default), 255 for 0–1 floats.
   */
  valueScale?: number;
  /**
   * Buffer to write the output into (C·T·crop·crop values), reused across clips to save the allocation; the
   * returned `data` is this buffer. Only for 3-channel output from 1-, 3- or 4-channel input, or 1 from 1.
   */
  out?: Float32Array;
}

/** Options of {@link trainTransform}. */
export interface TrainTransformOptions extends InputFormatOptions {
  /** Crop area and aspect ranges. Default EchoJEPA's (scale [0.5, 1], aspect [0.9, 1.1]). */
  cropRange?: ResizedCropRange;
  /** Probability of a left–right flip. Default 0: flipping swaps the heart's sides in echo. */
  horizontalFlipProbability?: number;
}

/** EchoJEPA pretraining settings (the defaults, spelled out). */
export const ECHOJEPA_TRAIN_OPTIONS: Readonly<TrainTransformOptions> = {
  cropSize: 224,
  cropRange: ECHOJEPA_CROP_RANGE,
  horizontalFlipProbability: 0,
  normalization: "imagenet",
};

/** V-JEPA natural-video pretraining settings, for comparison (wider crops, flips at p = 0.5). */
export const VJEPA_TRAIN_OPTIONS: Readonly<TrainTransformOptions> = {
  cropSize: 224,
  cropRange: { scale: [0.3, 1.0], aspectRatio: [0.75, 1.35] },
  horizontalFlipProbability: 0.5,
  normalization: "imagenet",
};

function channelMap(
  sourceChannels: number,
  options: InputFormatOptions,
  op: string,
): { map: ChannelMap; outChannels: number } {
  const outChannels = options.outputChannels ?? 3;
  if (outChannels !== 1 && outChannels !== 3) {
    throw new RangeError(`${op}: outputChannels must be 1 or 3, got ${outChannels}`);
  }
  const valueScale = options.valueScale ?? 1;
  if (!(valueScale > 0)) throw new RangeError(`${op}: valueScale must be > 0, got ${valueScale}`);
  const affine = normalizationAffine(options.normalization ?? "imagenet", outChannels);
  if (sourceChannels === 1) {
    return {
      map: {
        sourceChannel: Array(outChannels).fill(0),
        scale: affine.scale.map((s) => s * valueScale),
        offset: affine.offset,
      },
      outChannels,
    };
  }
  if (sourceChannels === 3 || sourceChannels === 4) {
    if (outChannels === 3) {
      // RGB or RGBA: keep R, G, B (alpha is ignored).
      return {
        map: {
          sourceChannel: [0, 1, 2],
          scale: affine.scale.map((s) => s * valueScale),
          offset: affine.offset,
        },
        outChannels,
      };
    }
    // Colour to one channel: the mean of R, G, B is a linear map, so it is done after resampling.
    return { map: { sourceChannel: [0, 1, 2], scale: [1, 1, 1], offset: [0, 0, 0] }, outChannels };
  }
  throw new RangeError(`${op}: input must have 1, 3 or 4 channels, got ${sourceChannels}`);
}

function finish(
  clip: Clip,
  rows: ReturnType<typeof bilinearAxisTaps>,
  cols: ReturnType<typeof bilinearAxisTaps>,
  options: InputFormatOptions,
  crop: CropBox,
  flipped: boolean,
  op: string,
): ModelInput {
  const dims = clipDims(clip, op);
  const { map, outChannels } = channelMap(dims.channels, options, op);
  const outH = rows.index0.length;
  const outW = cols.index0.length;
  const direct = map.sourceChannel.length === outChannels;
  let data = resampleToChannelsFirst(clip, rows, cols, map, direct ? options.out : undefined);
  if (!direct) {
    // Average colour channels into one, then apply the normalisation affine.
    const n = dims.frames * outH * outW;
    const affine = normalizationAffine(options.normalization ?? "imagenet", 1);
    const k = affine.scale[0] * (options.valueScale ?? 1) / 3;
    const grey = new Float32Array(n);
    for (let i = 0; i < n; i++) grey[i] = (data[i] + data[n + i] + data[2 * n + i]) * k + affine.offset[0];
    data = grey;
  }
  if (options.normalization === "per-clip") standardizePerChannel(data, outChannels);
  return { data, shape: [outChannels, dims.frames, outH, outW], crop, flipped };
}

function checkCropSize(cropSize: number, op: string): void {
  if (!Number.isInteger(cropSize) || cropSize < 1) {
    throw new RangeError(`${op}: cropSize must be a positive integer, got ${cropSize}`);
  }
}

/**
 * The pretraining transform: one random resized crop for all frames (bilinear, align-corners false), an optional
 * flip, channel expansion and normalisation, as float32 `[C, T, cropSize, cropSize]`.
 *
 * @example
 * ```ts
 * import { trainTransform } from "@echojepa/augment";
 * import { makeClip, Random } from "@echojepa/core";
 * const clip = makeClip(new Uint8Array(16 * 240 * 320), [16, 240, 320]);
 * const input = trainTransform(clip, Random.from(0));
 * console.log(input.shape); // [3, 16, 224, 224]
 * ```
 */
export function trainTransform(
  clip: Clip,
  rng: Random,
  options: TrainTransformOptions = {},
): ModelInput {
  const op = "trainTransform";
  const { height, width } = clipDims(clip, op);
  const cropSize = options.cropSize ?? 224;
  checkCropSize(cropSize, op);
  const flipP = options.horizontalFlipProbability ?? 0;
  if (!(flipP >= 0 && flipP <= 1)) throw new RangeError(`${op}: horizontalFlipProbability must be in [0, 1]`);
  const crop = sampleResizedCrop(height, width, options.cropRange ?? ECHOJEPA_CROP_RANGE, rng);
  // Draw the flip only when it can happen, so flip-free pipelines keep the same random stream as before.
  const flipped = flipP > 0 && rng.chance(flipP);
  const rows = bilinearAxisTaps(crop.top, crop.height, cropSize);
  const cols = bilinearAxisTaps(crop.left, crop.width, cropSize, 0, cropSize, flipped);
  return finish(clip, rows, cols, options, crop, flipped, op);
}

/**
 * The evaluation transform: resize the short side to ⌊cropSize·256/224⌋ (bilinear) and keep the centred
 * `cropSize × cropSize` window, then channels and normalisation as in training. Deterministic.
 */
export function evalTransform(clip: Clip, options: InputFormatOptions = {}): ModelInput {
  const op = "evalTransform";
  const { height, width } = clipDims(clip, op);
  const cropSize = options.cropSize ?? 224;
  checkCropSize(cropSize, op);
  const g = shortSideResizeCenterCrop(height, width, cropSize);
  if (g.resizedHeight < cropSize || g.resizedWidth < cropSize) {
    throw new RangeError(`${op}: a ${height}×${width} frame resizes to less than the ${cropSize}-pixel crop`);
  }
  const rows = bilinearAxisTaps(0, height, g.resizedHeight, g.top, cropSize);
  const cols = bilinearAxisTaps(0, width, g.resizedWidth, g.left, cropSize);
  // The kept window expressed in source pixels, for inspection.
  const crop: CropBox = {
    top: (g.top * height) / g.resizedHeight,
    left: (g.left * width) / g.resizedWidth,
    height: (cropSize * height) / g.resizedHeight,
    width: (cropSize * width) / g.resizedWidth,
  };
  return finish(clip, rows, cols, options, crop, false, op);
}
