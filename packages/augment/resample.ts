/**
 * Bilinear resampling with PyTorch `F.interpolate(mode="bilinear", align_corners=False)` semantics, fused with
 * cropping, optional horizontal flip, grey → multi-channel expansion, a per-channel affine map (normalisation) and
 * the `[T, H, W, C]` → `[C, T, H, W]` layout change, so a clip is read once and written once.
 *
 * @module
 */

import { type Clip, clipDims } from "@echojepa/core";

/** Per-output-index source taps along one axis: value = src[index0]·(1 − weight1) + src[index1]·weight1. */
export interface AxisTaps {
  /** First source index of each output index. */
  index0: Int32Array;
  /** Second source index (equal to index0 at the last source sample). */
  index1: Int32Array;
  /** Weight of the second tap, in [0, 1). */
  weight1: Float32Array;
}

/**
 * Taps for resizing the source segment `[start, start + length)` to `resizedLength` samples and keeping the resized
 * samples `[outOffset, outOffset + count)`, optionally reversed (a horizontal flip after the resize).
 *
 * Matches PyTorch's `align_corners=False` rule: src = (dst + 0.5)·length/resizedLength − 0.5, clamped at 0, with
 * the second tap clamped to the segment's last sample. No antialiasing, as in the reference.
 */
export function bilinearAxisTaps(
  start: number,
  length: number,
  resizedLength: number,
  outOffset = 0,
  count: number = resizedLength,
  reverse = false,
): AxisTaps {
  if (
    !(length >= 1 && resizedLength >= 1 && count >= 0 && outOffset >= 0 && outOffset + count <= resizedLength)
  ) {
    throw new RangeError(
      `bilinearAxisTaps: bad geometry (length ${length}, resized ${resizedLength}, window ${outOffset}+${count})`,
    );
  }
  const index0 = new Int32Array(count);
  const index1 = new Int32Array(count);
  const weight1 = new Float32Array(count);
  const scale = length / resizedLength;
  for (let k = 0; k < count; k++) {
    const resizedIndex = outOffset + (reverse ? count - 1 - k : k);
    const src = Math.max((resizedIndex + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), length - 1);
    index0[k] = start + i0;
    index1[k] = start + (i0 < length - 1 ? i0 + 1 : i0);
    weight1[k] = src - i0;
  }
  return { index0, index1, weight1 };
}

/** How each output channel is produced: which source channel, then `value·scale + offset`. */
export interface ChannelMap {
  /** Source channel read for each output channel (all 0 for grey → 3 channels). */
  sourceChannel: readonly number[];
  /** Multiplier per output channel (e.g. 1/std). */
  scale: readonly number[];
  /** Offset per output channel (e.g. −mean/std). */
  offset: readonly number[];
}

/**
 * Resamples every frame of `clip` with the given row and column taps and writes `[C_out, T, rows, cols]` float32,
 * where C_out = `channels.sourceChannel.length`. Writes into `out` when given (length must match).
 *
 * The clip may be any view (a crop, a frame range, a flip by a negative stride): the loops read the storage
 * through its offset and strides, so a view costs no copy.
 */
export function resampleToChannelsFirst(
  clip: Clip,
  rows: AxisTaps,
  cols: AxisTaps,
  channels: ChannelMap,
  out?: Float32Array,
): Float32Array {
  const { frames, height, width, channels: srcChannels } = clipDims(clip, "resampleToChannelsFirst");
  const outChannels = channels.sourceChannel.length;
  const outH = rows.index0.length;
  const outW = cols.index0.length;
  const plane = outH * outW;
  const channelStride = frames * plane;
  const total = outChannels * channelStride;
  const dst = out ?? new Float32Array(total);
  if (dst.length !== total) {
    throw new RangeError(`resampleToChannelsFirst: output has ${dst.length} values, needs ${total}`);
  }
  for (const c of channels.sourceChannel) {
    if (!(c >= 0 && c < srcChannels)) {
      throw new RangeError(
        `resampleToChannelsFirst: source channel ${c} out of range for ${srcChannels} channels`,
      );
    }
  }
  for (const r of [rows.index0, rows.index1]) {
    for (const i of r) {
      if (i < 0 || i >= height) {
        throw new RangeError(`resampleToChannelsFirst: row tap ${i} outside 0..${height - 1}`);
      }
    }
  }
  for (const r of [cols.index0, cols.index1]) {
    for (const i of r) {
      if (i < 0 || i >= width) {
        throw new RangeError(`resampleToChannelsFirst: column tap ${i} outside 0..${width - 1}`);
      }
    }
  }

  // Pre-multiply column taps by the column stride so the inner loop is a plain add.
  const [frameStride, rowStride, colStride] = clip.stride;
  const srcChannelStride = clip.shape.length === 4 ? clip.stride[3] : 1;
  const col0 = new Int32Array(outW);
  const col1 = new Int32Array(outW);
  for (let x = 0; x < outW; x++) {
    col0[x] = cols.index0[x] * colStride;
    col1[x] = cols.index1[x] * colStride;
  }
  const wx = cols.weight1;
  const src = clip.data;
  const origin = clip.offset;

  // Group output channels by source channel: each distinct source channel is interpolated once per pixel.
  const groups = new Map<number, number[]>();
  channels.sourceChannel.forEach((sc, oc) => {
    const list = groups.get(sc) ?? [];
    list.push(oc);
    groups.set(sc, list);
  });

  // Separable evaluation: each needed source row is interpolated horizontally once (kept while consecutive output
  // rows reuse it, as upscaling does), then the two rows are blended vertically. The association is PyTorch's:
  // h0λ·(w0λ·a + w1λ·b) + h1λ·(w0λ·c + w1λ·d). Loops are written out per output-channel count (1 or 3, else
  // generic) because that keeps them monomorphic and ~4× faster than calling a blend per channel.
  let upper = new Float32Array(outW);
  let lower = new Float32Array(outW);
  const sc = channels.sourceChannel;
  if (
    srcChannels >= 3 && srcChannelStride === 1 && sc.length === 3 && sc[0] === 0 && sc[1] === 1 && sc[2] === 2
  ) {
    resampleRgbPlanes(
      src,
      origin,
      frames,
      frameStride,
      rowStride,
      rows,
      col0,
      col1,
      wx,
      channels,
      dst,
      plane,
    );
    return dst;
  }
  for (const [sourceChannel, outputs] of groups) {
    const n = outputs.length;
    const p0 = outputs[0] * channelStride;
    const s0 = channels.scale[outputs[0]];
    const b0 = channels.offset[outputs[0]];
    const p1 = n > 1 ? outputs[1] * channelStride : 0;
    const s1 = n > 1 ? channels.scale[outputs[1]] : 0;
    const b1 = n > 1 ? channels.offset[outputs[1]] : 0;
    const p2 = n > 2 ? outputs[2] * channelStride : 0;
    const s2 = n > 2 ? channels.scale[outputs[2]] : 0;
    const b2 = n > 2 ? channels.offset[outputs[2]] : 0;
    for (let t = 0; t < frames; t++) {
      const frameBase = origin + t * frameStride + sourceChannel * srcChannelStride;
      let upperRow = -1;
      let lowerRow = -1;
      for (let y = 0; y < outH; y++) {
        const i0 = rows.index0[y];
        const i1 = rows.index1[y];
        if (upperRow !== i0) {
          if (lowerRow === i0) {
            const swap = upper;
            upper = lower;
            lower = swap;
            lowerRow = -1;
          } else {
            interpolateRow(src, frameBase + i0 * rowStride, col0, col1, wx, upper);
          }
          upperRow = i0;
        }
        if (lowerRow !== i1) {
          interpolateRow(src, frameBase + i1 * rowStride, col0, col1, wx, lower);
          lowerRow = i1;
        }
        const wy = rows.weight1[y];
        const wy0 = 1 - wy;
        const o = t * plane + y * outW;
        if (n === 1) {
          for (let x = 0; x < outW; x++) dst[p0 + o + x] = (wy0 * upper[x] + wy * lower[x]) * s0 + b0;
        } else if (n === 3) {
          for (let x = 0; x < outW; x++) {
            const v = wy0 * upper[x] + wy * lower[x];
            dst[p0 + o + x] = v * s0 + b0;
            dst[p1 + o + x] = v * s1 + b1;
            dst[p2 + o + x] = v * s2 + b2;
          }
        } else {
          for (let x = 0; x < outW; x++) {
            const v = wy0 * upper[x] + wy * lower[x];
            for (let k = 0; k < n; k++) {
              dst[outputs[k] * channelStride + o + x] = v * channels.scale[outputs[k]] +
                channels.offset[outputs[k]];
            }
          }
        }
      }
    }
  }
  return dst;
}

/** One source row interpolated at the output columns. */
function interpolateRow(
  src: Uint8Array | Float32Array,
  base: number,
  col0: Int32Array,
  col1: Int32Array,
  weight1: Float32Array,
  into: Float32Array,
): void {
  const n = into.length;
  for (let x = 0; x < n; x++) {
    const w1 = weight1[x];
    into[x] = (1 - w1) * src[base + col0[x]] + w1 * src[base + col1[x]];
  }
}

/** Three interleaved source channels → three planes: one horizontal pass serves all three channels. */
function resampleRgbPlanes(
  src: Uint8Array | Float32Array,
  origin: number,
  frames: number,
  frameStride: number,
  rowStride: number,
  rows: AxisTaps,
  col0: Int32Array,
  col1: Int32Array,
  wx: Float32Array,
  channels: ChannelMap,
  dst: Float32Array,
  plane: number,
): void {
  const outH = rows.index0.length;
  const outW = col0.length;
  const channelStride = frames * plane;
  const [s0, s1, s2] = channels.scale;
  const [b0, b1, b2] = channels.offset;
  let upper = new Float32Array(3 * outW);
  let lower = new Float32Array(3 * outW);
  const interpolate = (base: number, into: Float32Array): void => {
    for (let x = 0, k = 0; x < outW; x++, k += 3) {
      const w1 = wx[x];
      const w0 = 1 - w1;
      const a = base + col0[x];
      const b = base + col1[x];
      into[k] = w0 * src[a] + w1 * src[b];
      into[k + 1] = w0 * src[a + 1] + w1 * src[b + 1];
      into[k + 2] = w0 * src[a + 2] + w1 * src[b + 2];
    }
  };
  for (let t = 0; t < frames; t++) {
    const frameBase = origin + t * frameStride;
    let upperRow = -1;
    let lowerRow = -1;
    for (let y = 0; y < outH; y++) {
      const i0 = rows.index0[y];
      const i1 = rows.index1[y];
      if (upperRow !== i0) {
        if (lowerRow === i0) {
          const swap = upper;
          upper = lower;
          lower = swap;
          lowerRow = -1;
        } else {
          interpolate(frameBase + i0 * rowStride, upper);
        }
        upperRow = i0;
      }
      if (lowerRow !== i1) {
        interpolate(frameBase + i1 * rowStride, lower);
        lowerRow = i1;
      }
      const wy = rows.weight1[y];
      const wy0 = 1 - wy;
      const o = t * plane + y * outW;
      for (let x = 0, k = 0; x < outW; x++, k += 3) {
        dst[o + x] = (wy0 * upper[k] + wy * lower[k]) * s0 + b0;
        dst[channelStride + o + x] = (wy0 * upper[k + 1] + wy * lower[k + 1]) * s1 + b1;
        dst[2 * channelStride + o + x] = (wy0 * upper[k + 2] + wy * lower[k + 2]) * s2 + b2;
      }
    }
  }
}
