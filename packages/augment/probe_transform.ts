/**
 * The reference probe-training chain: RandAugment on the uint8 frames → normalise → random resized crop
 * (scale 0.08–1, aspect 0.75–4/3) → no flip → random erasing (p 0.25, pixel mode, one box for the clip).
 * Normalising before or after the bilinear resize gives the same values (both are linear), so the crop and the
 * normalisation run fused.
 *
 * @module
 */

import type { Clip } from "@echojepa/core";
import { PROBE_CROP_RANGE } from "./crop.ts";
import { type AppliedOp, randAugmentClip, type RandAugmentOptions } from "./randaugment.ts";
import { randomErasing, type RandomErasingOptions } from "./random_erasing.ts";
import type { Random } from "@echojepa/core";
import { type ModelInput, trainTransform, type TrainTransformOptions } from "./video_transform.ts";

/** Options of {@link probeTrainTransform}. */
export interface ProbeTrainOptions extends TrainTransformOptions {
  /** RandAugment settings; `false` skips it. Default `rand-m7-n4-mstd0.5-inc1`. */
  randAugment?: RandAugmentOptions | false;
  /** Random erasing settings; `false` skips it. Default p 0.25, pixel mode. */
  erasing?: RandomErasingOptions | false;
}

/** A probe-training input plus what the random parts did. */
export interface ProbeInput extends ModelInput {
  /** RandAugment ops applied. */
  applied: AppliedOp[];
  /** Erased boxes (in output pixels). */
  erased: { top: number; left: number; height: number; width: number }[];
}

/**
 * Applies the probe-training chain to a uint8 clip and returns float32 `[C, T, crop, crop]`.
 *
 * @example
 * ```ts
 * import { probeTrainTransform } from "@echojepa/augment";
 * import { makeClip, Random } from "@echojepa/core";
 * const clip = makeClip(new Uint8Array(16 * 112 * 112).fill(60), [16, 112, 112]);
 * const input = probeTrainTransform(clip, Random.from(1), { cropSize: 112 });
 * console.log(input.shape, input.applied.map((a) => a.op));
 * ```
 */
export function probeTrainTransform(
  clip: Clip,
  rng: Random,
  options: ProbeTrainOptions = {},
): ProbeInput {
  const augmented = options.randAugment === false
    ? { clip, applied: [] }
    : randAugmentClip(clip, rng, options.randAugment);
  const input = trainTransform(augmented.clip, rng, {
    cropRange: PROBE_CROP_RANGE,
    horizontalFlipProbability: 0,
    ...options,
  });
  const erased = options.erasing === false ? [] : randomErasing(input, rng, options.erasing);
  return { ...input, applied: augmented.applied, erased };
}
