/**
 * The one place host clips (`Clip` of `@echojepa/core`: an ndarray `[T, H, W]` or `[T, H, W, C]`) become tensors
 * and tensors become host clips. `core` knows nothing of tensors; this package depends on `core`, never the
 * reverse.
 *
 * The model's channels-first layout `[C, T, H, W]` is a transposed view of a host clip, so moving the channel
 * axis costs nothing on the host: `clipToTensor(clip, { channelsFirst: true })` uploads the view's samples in
 * `[C, T, H, W]` order, and `tensorToClip(t, { channelsFirst: true })` hands back a `[T, H, W, C]` view of the
 * `[C, T, H, W]` values read from the device.
 *
 * @example
 * ```ts
 * import { makeClip } from "@echojepa/core";
 * import { clipToTensor, init, tensorToClip } from "@echojepa/tensor";
 *
 * await init();
 * const clip = makeClip(Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i), [2, 4, 4, 3]);
 * const x = clipToTensor(clip, { channelsFirst: true }); // f32 [3, 2, 4, 4], values 0–255 as they are
 * const back = await tensorToClip(x, { channelsFirst: true }); // [2, 4, 4, 3] again
 * console.log(x.shape, back.shape, back.get(1, 2, 3, 2) === clip.get(1, 2, 3, 2)); // [3, 2, 4, 4] [2, 4, 4, 3] true
 * ```
 *
 * @module
 */

import { type Clip, clipDims, makeClip, rowMajorData } from "@echojepa/core";
import { tensor } from "./creation.ts";
import type { Tensor } from "./tensor.ts";

/** How a host clip maps onto a tensor's axes. */
export interface ClipTensorLayout {
  /**
   * `true`: the tensor is `[C, T, H, W]` (the model's layout; a grey `[T, H, W]` clip gives C = 1); default
   * `false`: the tensor has the clip's own shape.
   */
  channelsFirst?: boolean;
}

/** Uploads a clip (any view) as a float32 tensor, sample values unchanged. */
export function clipToTensor(clip: Clip, layout: ClipTensorLayout = {}): Tensor {
  const dims = clipDims(clip, "clipToTensor");
  if (!layout.channelsFirst) {
    return tensor(Float32Array.from(rowMajorData(clip)), [...clip.shape]);
  }
  // A grey clip gets its unit channel axis as a view, then the channel move is a transposed view too.
  const withChannels = clip.shape.length === 4
    ? clip
    : makeClip(clip.data, [...clip.shape, 1], [...clip.stride, 1], clip.offset);
  const planar = withChannels.transpose(3, 0, 1, 2);
  const values = Float32Array.from(rowMajorData(planar as Clip));
  return tensor(values, [dims.channels, dims.frames, dims.height, dims.width]);
}

/**
 * Reads a float32 tensor back as a host clip: a `[T, H, W]` or `[T, H, W, C]` tensor as it is, or with
 * `channelsFirst` a `[C, T, H, W]` tensor as a `[T, H, W, C]` view of the values read (no host copy).
 */
export async function tensorToClip(t: Tensor, layout: ClipTensorLayout = {}): Promise<Clip<Float32Array>> {
  if (t.dtype !== "f32") throw new TypeError(`tensorToClip: needs a float32 tensor, got ${t.dtype}`);
  if (layout.channelsFirst && t.shape.length !== 4) {
    throw new RangeError(`tensorToClip: channelsFirst needs a [C, T, H, W] tensor, got [${t.shape}]`);
  }
  const values = (await t.toArray()) as Float32Array;
  if (!layout.channelsFirst) return makeClip(values, t.shape, undefined, 0, "tensorToClip");
  return makeClip(values, t.shape, undefined, 0, "tensorToClip").transpose(1, 2, 3, 0);
}
