/**
 * Bilinear resampling with PyTorch `F.interpolate(mode="bilinear", align_corners=False)` semantics, fused with
 * cropping, optional horizontal flip, grey → multi-channel expansion, a per-channel affine map (normalisation) and
 * the `[T, H, W, C]` → `[C, T, H, W]` layout change, so a clip is read once and written once.
 *
 * @module
 */

import { type ClipArray, clipDims } from "./clip.ts";

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
 */
export function resampleToChannelsFirst(
  clip: ClipArray,
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

  // Pre-multiply column taps by the channel count so the inner loop is a plain add.
  const col0 = new Int32Array(outW);
  const col1 = new Int32Array(outW);
  for (let x = 0; x < outW; x++) {
    col0[x] = cols.index0[x] * srcChannels;
    col1[x] = cols.index1[x] * srcChannels;
  }
  const wx = cols.weight1;
  const src = clip.data;
  const rowStride = width * srcChannels;
  const frameStride = height * rowStride;

  // Group output channels by source channel: each distinct source channel is interpolated once per pixel.
  const groups = new Map<number, number[]>();
  channels.sourceChannel.forEach((sc, oc) => {
    const list = groups.get(sc) ?? [];
    list.push(oc);
    groups.set(sc, list);
  });

  // Separable evaluation: each needed source row is interpolated horizontally once (kept for the next output row,
  // since upscaling reuses rows), then pairs of rows are blended vertically. The association is PyTorch's:
  // h0λ·(w0λ·a + w1λ·b) + h1λ·(w0λ·c + w1λ·d).
  const rowCache = [new Float64Array(outW), new Float64Array(outW)];
  for (const [sourceChannel, outputs] of groups) {
    const planes = outputs.map((oc) => oc * channelStride);
    const scales = outputs.map((oc) => channels.scale[oc]);
    const offsets = outputs.map((oc) => channels.offset[oc]);
    for (let t = 0; t < frames; t++) {
      const frameBase = t * frameStride + sourceChannel;
      const cachedRow = [-1, -1];
      for (let y = 0; y < outH; y++) {
        const i0 = rows.index0[y];
        const i1 = rows.index1[y];
        // Find or fill a cache slot for each of the two source rows, never evicting the other one.
        let slot0 = cachedRow[0] === i0 ? 0 : cachedRow[1] === i0 ? 1 : -1;
        if (slot0 < 0) {
          slot0 = cachedRow[0] === i1 ? 1 : 0;
          interpolateRow(src, frameBase + i0 * rowStride, col0, col1, wx, rowCache[slot0]);
          cachedRow[slot0] = i0;
        }
        let slot1 = cachedRow[0] === i1 ? 0 : cachedRow[1] === i1 ? 1 : -1;
        if (slot1 < 0) {
          slot1 = 1 - slot0;
          interpolateRow(src, frameBase + i1 * rowStride, col0, col1, wx, rowCache[slot1]);
          cachedRow[slot1] = i1;
        }
        const o = t * plane + y * outW;
        for (let k = 0; k < planes.length; k++) {
          blendRows(
            rowCache[slot0],
            rowCache[slot1],
            rows.weight1[y],
            scales[k],
            offsets[k],
            dst,
            planes[k] + o,
          );
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
  into: Float64Array,
): void {
  const n = into.length;
  for (let x = 0; x < n; x++) {
    const w1 = weight1[x];
    into[x] = (1 - w1) * src[base + col0[x]] + w1 * src[base + col1[x]];
  }
}

/** Vertical blend of two interpolated rows, then the channel's affine map, written at `dst[at…]`. */
function blendRows(
  upper: Float64Array,
  lower: Float64Array,
  wy: number,
  scale: number,
  offset: number,
  dst: Float32Array,
  at: number,
): void {
  const wy0 = 1 - wy;
  const n = upper.length;
  for (let x = 0; x < n; x++) dst[at + x] = (wy0 * upper[x] + wy * lower[x]) * scale + offset;
}
