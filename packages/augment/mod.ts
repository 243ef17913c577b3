/**
 * @module
 * Echo-specific video augmentation on plain clip arrays (`[T, H, W]` or `[T, H, W, C]`, uint8 or float32 on the
 * 0–255 scale), producing float32 `[C, T, H, W]` model inputs.
 *
 * - {@link trainTransform}: EchoJEPA's pretraining transform — one random resized crop for the whole clip
 *   (area 0.5–1.0, aspect 0.9–1.1), bilinear resize, no flip by default, grey → 3 channels, ImageNet normalisation.
 * - {@link evalTransform}: short side to ⌊crop·256/224⌋, centre crop.
 * - {@link randAugmentClip} and {@link randomErasing}: the probe-training augmentations; {@link probeTrainTransform}
 *   chains them as the reference does.
 * - every transform takes its randomness from a `Random` of `@echojepa/core` (seeded, process-stable).
 * - {@link AugmentPool}: the same transforms on worker threads, seeded by tuples, for data loaders.
 *
 * @example
 * ```ts
 * import { evalTransform, trainTransform } from "@echojepa/augment";
 * import { makeClip, Random } from "@echojepa/core";
 *
 * // A 16-frame 240×320 grey clip (for example from @echojepa/video); the clip type is @echojepa/core's `Clip`.
 * const clip = makeClip(new Uint8Array(16 * 240 * 320), [16, 240, 320]);
 * const train = trainTransform(clip, Random.from("clip-0001", "epoch", 3));
 * const val = evalTransform(clip);
 * console.log(train.shape, val.shape); // [3, 16, 224, 224] [3, 16, 224, 224]
 * ```
 */
export {
  centerCropWithAspect,
  type CropBox,
  ECHOJEPA_CROP_RANGE,
  PROBE_CROP_RANGE,
  type ResizedCropRange,
  roundHalfEven,
  sampleResizedCrop,
  shortSideResizeCenterCrop,
  type ShortSideResizeCrop,
  VJEPA_CROP_RANGE,
} from "./crop.ts";
export {
  IMAGENET_MEAN,
  IMAGENET_STD,
  type Normalization,
  normalizationAffine,
  standardizePerChannel,
} from "./normalize.ts";
export { type AxisTaps, bilinearAxisTaps, type ChannelMap, resampleToChannelsFirst } from "./resample.ts";
export {
  ECHOJEPA_TRAIN_OPTIONS,
  evalTransform,
  type InputFormatOptions,
  type ModelInput,
  trainTransform,
  type TrainTransformOptions,
  VJEPA_TRAIN_OPTIONS,
} from "./video_transform.ts";
export {
  type AppliedOp,
  RAND_AUGMENT_OPS,
  randAugmentClip,
  type RandAugmentOpName,
  type RandAugmentOptions,
  type RandAugmentResult,
} from "./randaugment.ts";
export { randomErasing, type RandomErasingOptions } from "./random_erasing.ts";
export { segmentInputs, type SegmentInputSettings } from "./segment_inputs.ts";
export { type ProbeInput, type ProbeTrainOptions, probeTrainTransform } from "./probe_transform.ts";
export {
  adjustBrightness,
  adjustColor,
  adjustContrast,
  adjustSharpness,
  applyLut,
  autoContrast,
  equalize,
  type FrameSize,
  makeLut,
  rotationCoefficients,
  warpAffine,
} from "./image_ops.ts";
export { type AugmentJob, AugmentPool } from "./pool.ts";
