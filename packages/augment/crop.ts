/**
 * Crop-box sampling: the random-resized-crop parameters of the reference (`_get_param_spatial_crop`, the same rule
 * as torchvision's `RandomResizedCrop.get_params`) and the evaluation resize-then-centre-crop geometry.
 *
 * @module
 */

import type { Random } from "@echojepa/core";

/** A crop window in source pixels: rows `[top, top + height)`, columns `[left, left + width)`. */
export interface CropBox {
  /** First row. */
  top: number;
  /** First column. */
  left: number;
  /** Rows in the window. */
  height: number;
  /** Columns in the window. */
  width: number;
}

/** Bounds of a random resized crop. */
export interface ResizedCropRange {
  /** Range of the crop's area as a fraction of the frame area. */
  scale: readonly [number, number];
  /** Range of the crop's width/height ratio (sampled log-uniformly). */
  aspectRatio: readonly [number, number];
}

/** EchoJEPA's pretraining crop range: keep at least half the sector, barely change the aspect ratio. */
export const ECHOJEPA_CROP_RANGE: ResizedCropRange = { scale: [0.5, 1.0], aspectRatio: [0.9, 1.1] };

/** V-JEPA / V-JEPA 2 natural-video pretraining crop range, for comparison. */
export const VJEPA_CROP_RANGE: ResizedCropRange = { scale: [0.3, 1.0], aspectRatio: [0.75, 1.35] };

/** The reference probe-training crop range (`RandomResizedCrop` defaults). */
export const PROBE_CROP_RANGE: ResizedCropRange = { scale: [0.08, 1.0], aspectRatio: [0.75, 4 / 3] };

/** Python's `round`: ties go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkRange(name: string, range: readonly [number, number], min: number): void {
  if (!(range[0] > min - 1e-12 && range[1] >= range[0] && Number.isFinite(range[1]))) {
    throw new RangeError(
      `sampleResizedCrop: ${name} must be [low, high] with ${min} ≤ low ≤ high, got [${range}]`,
    );
  }
}

/**
 * Samples one crop box for a `height × width` frame: up to 10 tries of area = U(scale)·H·W and
 * aspect = exp(U(log r0, log r1)), w = round(√(area·aspect)), h = round(√(area/aspect)); the first that fits wins
 * with a uniform position. Otherwise the centre crop with the aspect ratio clamped into range.
 */
export function sampleResizedCrop(
  height: number,
  width: number,
  range: ResizedCropRange,
  rng: Random,
): CropBox {
  checkRange("scale", range.scale, 0);
  checkRange("aspectRatio", range.aspectRatio, 1e-12);
  const area = height * width;
  const logLow = Math.log(range.aspectRatio[0]);
  const logHigh = Math.log(range.aspectRatio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = rng.uniform(range.scale[0], range.scale[1]) * area;
    const aspect = Math.exp(rng.uniform(logLow, logHigh));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h);
      const left = rng.int(0, width - w);
      return { top, left, height: h, width: w };
    }
  }
  return centerCropWithAspect(height, width, range.aspectRatio);
}

/** The reference's fallback: the largest centred window whose aspect ratio lies in `aspectRatio`. */
export function centerCropWithAspect(
  height: number,
  width: number,
  aspectRatio: readonly [number, number],
): CropBox {
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < aspectRatio[0]) {
    h = roundHalfEven(w / aspectRatio[0]);
  } else if (inRatio > aspectRatio[1]) {
    w = roundHalfEven(h * aspectRatio[1]);
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Geometry of the evaluation transform: the resized frame size and the centre window kept from it. */
export interface ShortSideResizeCrop {
  /** Frame height after resizing the short side. */
  resizedHeight: number;
  /** Frame width after resizing the short side. */
  resizedWidth: number;
  /** First kept row of the resized frame. */
  top: number;
  /** First kept column of the resized frame. */
  left: number;
  /** Output side length. */
  cropSize: number;
}

/**
 * The reference evaluation geometry: resize the short side to ⌊crop·256/224⌋ (long side ⌊short'·long/short⌋, as
 * torchvision does) and keep the centred `crop × crop` window (offsets rounded like torchvision's `CenterCrop`).
 */
export function shortSideResizeCenterCrop(
  height: number,
  width: number,
  cropSize: number,
): ShortSideResizeCrop {
  const short = Math.floor((cropSize * 256) / 224);
  let resizedHeight: number;
  let resizedWidth: number;
  if (height <= width) {
    resizedHeight = short;
    resizedWidth = Math.floor((short * width) / height);
  } else {
    resizedWidth = short;
    resizedHeight = Math.floor((short * height) / width);
  }
  return {
    resizedHeight,
    resizedWidth,
    top: roundHalfEven((resizedHeight - cropSize) / 2),
    left: roundHalfEven((resizedWidth - cropSize) / 2),
    cropSize,
  };
}
