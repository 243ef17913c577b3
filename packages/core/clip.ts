/**
 * The one host-side clip type of EchoJEPA-TS: an {@link https://github.com/scijs/ndarray | ndarray} view (shape,
 * stride and offset over a typed array) of a video clip.
 *
 * **Layout, the only one host clips use:** frame-major and channel-last, shape `[T, H, W]` for a grey clip or
 * `[T, H, W, C]` for C channels (3 for RGB, 4 for RGBA); samples are 8-bit (`Uint8Array`) or `Float32Array` on
 * a 0–255 scale unless a function says otherwise. Sample (t, y, x, c) lives at
 * `offset + t·stride[0] + y·stride[1] + x·stride[2] + c·stride[3]`, which for a freshly made clip is
 * `((t·H + y)·W + x)·C + c`. Tensors fed to the model are channels-first `[C, T, H, W]`; the conversion is
 * `clipToTensor` / `tensorToClip` in `@echojepa/tensor`, nowhere else.
 *
 * Because a clip is a view, picking frames (`clip.lo(2).hi(8)`), cropping (`clip.lo(0, top, left).hi(T, h, w)`)
 * and moving the channel axis (`clip.transpose(...)`) cost no copy, and an ndarray from the scijs ecosystem can
 * be handed in as it is. Functions that walk every sample read {@link rowMajorData} (a subarray when the view is
 * contiguous, a copy otherwise) or the strides directly; none calls `get` per element.
 *
 * @example
 * ```ts
 * import { clipDims, makeClip, rowMajorData } from "@echojepa/core";
 *
 * const clip = makeClip(new Uint8Array(16 * 112 * 112), [16, 112, 112]); // 16 grey frames
 * clip.set(3, 10, 20, 255);
 * const window = clip.lo(2, 8, 8).hi(4, 96, 96); // frames 2–5, a 96×96 crop: no copy
 * console.log(clipDims(window)); // { frames: 4, height: 96, width: 96, channels: 1 }
 * console.log(window.get(1, 2, 12)); // 255 (frame 3, row 10, column 20 of the clip)
 * console.log(rowMajorData(window).length); // 36864: the window's samples, row-major
 * ```
 *
 * @module
 */

// @ts-types="@types/ndarray"
import ndarray from "ndarray";

/** Sample storage of a clip: 8-bit levels or float32 (on a 0–255 scale unless stated otherwise). */
export type ClipData = Uint8Array | Float32Array;

/**
 * A video clip: an ndarray of shape `[T, H, W]` (grey) or `[T, H, W, C]` over a `Uint8Array` or `Float32Array`
 * (see the module doc for the layout). Make one with {@link makeClip}; any ndarray of that shape and storage is
 * one.
 */
export type Clip<D extends ClipData = ClipData> = ndarray.NdArray<D>;

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
 * A clip over `data` with the given shape, row-major (`stride` and `offset` may be given for a view into a larger
 * buffer). Checks the shape and that every sample lies inside `data`; `op` names the caller in errors.
 */
export function makeClip<D extends ClipData>(
  data: D,
  shape: readonly number[],
  stride?: readonly number[],
  offset = 0,
  op = "makeClip",
): Clip<D> {
  const clip = ndarray(data, [...shape], stride ? [...stride] : undefined, offset);
  clipDims(clip, op);
  return clip;
}

/** The shape of a clip with these extents: `[T, H, W]` when `channels` is 1, else `[T, H, W, C]`. */
export function clipShapeOf(dims: ClipDims): number[] {
  const { frames, height, width, channels } = dims;
  return channels === 1 ? [frames, height, width] : [frames, height, width, channels];
}

/**
 * A clip rebuilt from the fields of one that lost its prototype (a clip sent through `postMessage` arrives as a
 * plain `{ data, shape, stride, offset }`).
 */
export function reviveClip<D extends ClipData>(
  fields: { data: D; shape: readonly number[]; stride?: readonly number[]; offset?: number },
  op = "reviveClip",
): Clip<D> {
  return makeClip(fields.data, fields.shape, fields.stride, fields.offset ?? 0, op);
}

/**
 * Reads and checks the extents of a clip: rank 3 or 4, every extent a positive integer, and every sample inside
 * its storage. `op` names the caller in the error message.
 */
export function clipDims(clip: Clip, op = "clip"): ClipDims {
  const shape = clip.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new RangeError(`${op}: clip shape must be [T, H, W] or [T, H, W, C], got [${shape.join(", ")}]`);
  }
  for (const extent of shape) {
    if (!Number.isInteger(extent) || extent < 1) {
      throw new RangeError(`${op}: clip shape extents must be positive integers, got [${shape.join(", ")}]`);
    }
  }
  // The lowest and highest sample the view addresses must lie inside the storage.
  let low = clip.offset, high = clip.offset;
  for (let d = 0; d < shape.length; d++) {
    const reach = (shape[d] - 1) * clip.stride[d];
    if (reach < 0) low += reach;
    else high += reach;
  }
  if (low < 0 || high >= clip.data.length) {
    throw new RangeError(
      `${op}: clip of shape [${
        shape.join(", ")
      }] reaches samples ${low}..${high} of a ${clip.data.length}-sample ` +
        `array`,
    );
  }
  return { frames: shape[0], height: shape[1], width: shape[2], channels: shape.length === 4 ? shape[3] : 1 };
}

/** Whether the view's samples are consecutive in row-major order (then {@link rowMajorData} copies nothing). */
export function isRowMajor(clip: Clip): boolean {
  let expected = 1;
  for (let d = clip.shape.length - 1; d >= 0; d--) {
    if (clip.shape[d] !== 1 && clip.stride[d] !== expected) return false;
    expected *= clip.shape[d];
  }
  return true;
}

/**
 * The clip's samples in row-major order (`((t·H + y)·W + x)·C + c`): a subarray of its storage when the view is
 * contiguous (no copy: writing to it writes the clip), otherwise a fresh copy. Kernels that walk every sample
 * with flat indices start here.
 */
export function rowMajorData<D extends ClipData>(clip: Clip<D>): D {
  const { frames, height, width, channels } = clipDims(clip, "rowMajorData");
  const n = frames * height * width * channels;
  if (isRowMajor(clip)) return clip.data.subarray(clip.offset, clip.offset + n) as D;
  const out = (clip.data instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n)) as D;
  const src = clip.data;
  const [s0, s1, s2] = clip.stride;
  const s3 = clip.shape.length === 4 ? clip.stride[3] : 0;
  let k = 0;
  for (let t = 0; t < frames; t++) {
    for (let y = 0; y < height; y++) {
      let i = clip.offset + t * s0 + y * s1;
      for (let x = 0; x < width; x++, i += s2) {
        for (let c = 0, j = i; c < channels; c++, j += s3) out[k++] = src[j];
      }
    }
  }
  return out;
}

/** A new row-major clip of the same shape and sample type as `clip`, filled with zeros. */
export function emptyLike<D extends ClipData>(clip: Clip<D>): Clip<D> {
  const n = clip.shape.reduce((a, b) => a * b, 1);
  const data = (clip.data instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n)) as D;
  return makeClip(data, clip.shape);
}
