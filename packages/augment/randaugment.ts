/**
 * A video RandAugment in the style of timm's `rand-m7-n4-mstd0.5-inc1` (the reference probe-training policy): 4 ops
 * drawn with replacement from the "increasing" set, each applied with probability 0.5 at magnitude ~ N(7, 0.5)
 * clipped to [0, 10], with one set of parameters for every frame of the clip.
 *
 * @module
 */

import { type Clip, clipDims, makeClip, rowMajorData } from "@echojepa/core";
import {
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
import type { Random } from "@echojepa/core";

/** Names of the operations (timm's increasing set). */
export type RandAugmentOpName =
  | "AutoContrast"
  | "Equalize"
  | "Invert"
  | "Rotate"
  | "Posterize"
  | "Solarize"
  | "SolarizeAdd"
  | "Color"
  | "Contrast"
  | "Brightness"
  | "Sharpness"
  | "ShearX"
  | "ShearY"
  | "TranslateX"
  | "TranslateY";

/** All operation names, in timm's order. */
export const RAND_AUGMENT_OPS: readonly RandAugmentOpName[] = [
  "AutoContrast",
  "Equalize",
  "Invert",
  "Rotate",
  "Posterize",
  "Solarize",
  "SolarizeAdd",
  "Color",
  "Contrast",
  "Brightness",
  "Sharpness",
  "ShearX",
  "ShearY",
  "TranslateX",
  "TranslateY",
];

/** Options of {@link randAugmentClip}; defaults give `rand-m7-n4-mstd0.5-inc1`. */
export interface RandAugmentOptions {
  /** Operations drawn per clip (with replacement). Default 4. */
  ops?: number;
  /** Mean magnitude on the 0–10 scale. Default 7. */
  magnitude?: number;
  /** Standard deviation of the magnitude per op. Default 0.5. */
  magnitudeStd?: number;
  /** Probability each drawn op is applied. Default 0.5. */
  probability?: number;
  /** Grey level for pixels that geometric ops bring in from outside. Default 0 (echo background; timm uses 128). */
  fill?: number;
  /** Restrict the pool of ops. Default all of {@link RAND_AUGMENT_OPS}. */
  pool?: readonly RandAugmentOpName[];
}

/** One op as applied: its name and the resolved parameter (degrees, factor, bits, threshold, pixels…). */
export interface AppliedOp {
  /** Operation. */
  op: RandAugmentOpName;
  /** Magnitude drawn, 0–10. */
  magnitude: number;
  /** The op's parameter derived from the magnitude (and sign); 0 for parameter-free ops. */
  parameter: number;
}

/** Result of {@link randAugmentClip}. */
export interface RandAugmentResult {
  /** The augmented clip (same shape, uint8). */
  clip: Clip<Uint8Array>;
  /** Ops that were applied, in order (those skipped by the 0.5 coin are not listed). */
  applied: AppliedOp[];
}

type FrameOp = (frame: Uint8Array, size: FrameSize) => Uint8Array;

/** Resolves an op at a magnitude into a frame function and its parameter (timm's level→argument rules). */
function resolveOp(
  op: RandAugmentOpName,
  m: number,
  rng: Random,
  fill: number,
): { fn: FrameOp; parameter: number } {
  const level = m / 10;
  const signed = (v: number): number => (rng.chance(0.5) ? -v : v);
  switch (op) {
    case "AutoContrast":
      return { fn: autoContrast, parameter: 0 };
    case "Equalize":
      return { fn: equalize, parameter: 0 };
    case "Invert":
      return { fn: (f) => applyLut(f, makeLut((v) => 255 - v)), parameter: 0 };
    case "Rotate": {
      const degrees = signed(level * 30);
      return { fn: (f, s) => warpAffine(f, s, rotationCoefficients(s, degrees), fill), parameter: degrees };
    }
    case "Posterize": {
      const bits = 4 - Math.trunc(level * 4);
      const mask = (0xff << (8 - bits)) & 0xff;
      return { fn: (f) => applyLut(f, makeLut((v) => v & mask)), parameter: bits };
    }
    case "Solarize": {
      const threshold = 256 - Math.trunc(level * 256);
      return { fn: (f) => applyLut(f, makeLut((v) => (v >= threshold ? 255 - v : v))), parameter: threshold };
    }
    case "SolarizeAdd": {
      const add = Math.trunc(level * 110);
      return {
        fn: (f) => applyLut(f, makeLut((v) => (v < 128 ? Math.min(255, v + add) : v))),
        parameter: add,
      };
    }
    case "Color":
    case "Contrast":
    case "Brightness":
    case "Sharpness": {
      const factor = 1 + signed(level * 0.9);
      const enhance = {
        Color: adjustColor,
        Contrast: adjustContrast,
        Brightness: adjustBrightness,
        Sharpness: adjustSharpness,
      }[op];
      return { fn: (f, s) => enhance(f, s, factor), parameter: factor };
    }
    case "ShearX": {
      const shear = signed(level * 0.3);
      return { fn: (f, s) => warpAffine(f, s, [1, shear, 0, 0, 1, 0], fill), parameter: shear };
    }
    case "ShearY": {
      const shear = signed(level * 0.3);
      return { fn: (f, s) => warpAffine(f, s, [1, 0, 0, shear, 1, 0], fill), parameter: shear };
    }
    case "TranslateX": {
      const fraction = signed(level * 0.45);
      return {
        fn: (f, s) => warpAffine(f, s, [1, 0, fraction * s.width, 0, 1, 0], fill),
        parameter: fraction,
      };
    }
    case "TranslateY": {
      const fraction = signed(level * 0.45);
      return {
        fn: (f, s) => warpAffine(f, s, [1, 0, 0, 0, 1, fraction * s.height], fill),
        parameter: fraction,
      };
    }
  }
}

/**
 * Applies a RandAugment policy to a uint8 clip with the same op parameters on every frame (statistics-based ops
 * such as AutoContrast and Equalize still use each frame's own histogram, as per-frame PIL calls do).
 */
export function randAugmentClip(
  clip: Clip,
  rng: Random,
  options: RandAugmentOptions = {},
): RandAugmentResult {
  const { frames, height, width, channels } = clipDims(clip, "randAugmentClip");
  if (!(clip.data instanceof Uint8Array)) {
    throw new TypeError("randAugmentClip: needs a uint8 clip (the ops are defined on 8-bit images)");
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`randAugmentClip: needs 1 or 3 channels, got ${channels}`);
  }
  const count = options.ops ?? 4;
  const mean = options.magnitude ?? 7;
  const std = options.magnitudeStd ?? 0.5;
  const probability = options.probability ?? 0.5;
  const fill = options.fill ?? 0;
  const pool = options.pool ?? RAND_AUGMENT_OPS;
  if (pool.length === 0) throw new RangeError("randAugmentClip: empty op pool");
  const size: FrameSize = { height, width, channels };
  const frameLength = height * width * channels;
  const samples: Uint8Array = rowMajorData(clip as Clip<Uint8Array>);
  let data = samples;
  const applied: AppliedOp[] = [];
  for (let k = 0; k < count; k++) {
    const op = rng.pick(pool);
    if (!rng.chance(probability)) continue;
    const magnitude = Math.min(10, Math.max(0, std > 0 ? rng.normal(mean, std) : mean));
    const { fn, parameter } = resolveOp(op, magnitude, rng, fill);
    const next = new Uint8Array(data.length);
    for (let t = 0; t < frames; t++) {
      next.set(fn(data.subarray(t * frameLength, (t + 1) * frameLength), size), t * frameLength);
    }
    data = next;
    applied.push({ op, magnitude, parameter });
  }
  return { clip: makeClip(data === samples ? data.slice() : data, clip.shape), applied };
}
