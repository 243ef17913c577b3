/**
 * The plain clip array both augment and perturb work on: a typed array in frame-major, channel-last order with a
 * shape of `[T, H, W]` (grey) or `[T, H, W, C]`.
 *
 * @module
 */

/** Sample storage of a clip: 8-bit grey levels or float32 (on a 0–255 scale unless stated otherwise). */
export type ClipData = Uint8Array | Float32Array;

/** `[T, H, W]` for a single-channel clip or `[T, H, W, C]`. */
export type ClipShape = readonly [number, number, number] | readonly [number, number, number, number];

/**
 * A video clip as a flat typed array; sample (t, y, x, c) lives at `((t·H + y)·W + x)·C + c`.
 */
export interface ClipArray<D extends ClipData = ClipData> {
  /** Samples, frame-major, channel-last. */
  data: D;
  /** `[T, H, W]` or `[T, H, W, C]`. */
  shape: ClipShape;
}

/** The four extents of a clip, with `channels` 1 for a `[T, H, W]` shape. */
export interface ClipDims {
  /** Number of frames T. */
  frames: number;
  /** Frame height H in pixels. */
  height: number;
  /** Frame width W in pixels. */
  width: number;
  /** Channels C (1 for `[T, H, W]`). */
  channels: number;
}

/**
 * Reads and checks the extents of a clip: every extent a positive integer and the data length equal to their
 * product. `op` names the caller in the error message.
 */
export function clipDims(clip: ClipArray, op = "clip"): ClipDims {
  const shape = clip.shape as readonly number[];
  if (shape.length !== 3 && shape.length !== 4) {
    throw new RangeError(`${op}: clip shape must be [T, H, W] or [T, H, W, C], got [${shape.join(", ")}]`);
  }
  for (const extent of shape) {
    if (!Number.isInteger(extent) || extent < 1) {
      throw new RangeError(`${op}: clip shape extents must be positive integers, got [${shape.join(", ")}]`);
    }
  }
  const [frames, height, width] = shape;
  const channels = shape.length === 4 ? shape[3] : 1;
  const expected = frames * height * width * channels;
  if (clip.data.length !== expected) {
    throw new RangeError(
      `${op}: clip data has ${clip.data.length} samples but shape [${shape.join(", ")}] needs ${expected}`,
    );
  }
  return { frames, height, width, channels };
}

/** A new clip of the same shape and sample type as `clip`, filled with zeros. */
export function emptyLike<D extends ClipData>(clip: ClipArray<D>): ClipArray<D> {
  const data =
    (clip.data instanceof Uint8Array
      ? new Uint8Array(clip.data.length)
      : new Float32Array(clip.data.length)) as D;
  return { data, shape: clip.shape };
}
