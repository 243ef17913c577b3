/**
 * Single-frame uint8 image operations behind the RandAugment-style set (the PIL operations timm's RandAugment
 * calls): point maps, histogram operations, enhancement blends and inverse-affine warps. A frame is `H·W·C`
 * interleaved bytes.
 *
 * @module
 */

/** Extents of one frame. */
export interface FrameSize {
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
  /** Interleaved channels (1 or 3). */
  channels: number;
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Applies a 256-entry lookup table to every sample. */
export function applyLut(frame: Uint8Array, lut: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < frame.length; i++) out[i] = lut[frame[i]];
  return out;
}

/** A lookup table from a function of the grey level, rounded and clamped. */
export function makeLut(fn: (v: number) => number): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, v) => clampByte(fn(v)));
}

/** Per-channel histogram (256 bins) of one frame. */
function histogram(frame: Uint8Array, channels: number, channel: number): Uint32Array {
  const h = new Uint32Array(256);
  for (let i = channel; i < frame.length; i += channels) h[frame[i]]++;
  return h;
}

/** PIL `ImageOps.autocontrast` (no cutoff): stretch each channel's [min, max] to [0, 255], truncating. */
export function autoContrast(frame: Uint8Array, size: FrameSize): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let c = 0; c < size.channels; c++) {
    let lo = 255;
    let hi = 0;
    for (let i = c; i < frame.length; i += size.channels) {
      if (frame[i] < lo) lo = frame[i];
      if (frame[i] > hi) hi = frame[i];
    }
    const scale = hi > lo ? 255 / (hi - lo) : 1;
    const offset = hi > lo ? -lo * scale : 0;
    // PIL truncates (int()) rather than rounds here.
    for (let i = c; i < frame.length; i += size.channels) {
      out[i] = Math.min(255, Math.max(0, Math.trunc(frame[i] * scale + offset)));
    }
  }
  return out;
}

/** PIL `ImageOps.equalize`: per-channel histogram equalisation with PIL's step rule. */
export function equalize(frame: Uint8Array, size: FrameSize): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let c = 0; c < size.channels; c++) {
    const h = histogram(frame, size.channels, c);
    let last = 255;
    while (last > 0 && h[last] === 0) last--;
    const total = h.reduce((s, v) => s + v, 0);
    const step = Math.floor((total - h[last]) / 255);
    const lut = new Uint8Array(256);
    if (step === 0) {
      for (let v = 0; v < 256; v++) lut[v] = v;
    } else {
      let n = Math.floor(step / 2);
      for (let v = 0; v < 256; v++) {
        lut[v] = Math.min(255, Math.floor(n / step));
        n += h[v];
      }
    }
    for (let i = c; i < frame.length; i += size.channels) out[i] = lut[frame[i]];
  }
  return out;
}

/** Luma (ITU-R 601, PIL's "L" conversion) of each pixel, one value per pixel. */
function luma(frame: Uint8Array, size: FrameSize): Float64Array {
  const n = size.height * size.width;
  const out = new Float64Array(n);
  if (size.channels === 1) {
    for (let p = 0; p < n; p++) out[p] = frame[p];
  } else {
    for (let p = 0; p < n; p++) {
      const b = p * size.channels;
      out[p] = Math.floor((frame[b] * 299 + frame[b + 1] * 587 + frame[b + 2] * 114) / 1000 + 0.5);
    }
  }
  return out;
}

/** `degenerate + factor·(frame − degenerate)`, PIL `ImageEnhance`'s blend; `degenerate` is per sample. */
function blend(frame: Uint8Array, degenerate: (i: number) => number, factor: number): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    const d = degenerate(i);
    out[i] = clampByte(d + factor * (frame[i] - d));
  }
  return out;
}

/** PIL `ImageEnhance.Color`: blend with the grey version (identity for grey frames). */
export function adjustColor(frame: Uint8Array, size: FrameSize, factor: number): Uint8Array {
  if (size.channels === 1) return frame.slice();
  const grey = luma(frame, size);
  return blend(frame, (i) => grey[Math.floor(i / size.channels)], factor);
}

/** PIL `ImageEnhance.Contrast`: blend with the frame's mean grey level. */
export function adjustContrast(frame: Uint8Array, size: FrameSize, factor: number): Uint8Array {
  const grey = luma(frame, size);
  const mean = Math.floor(grey.reduce((s, v) => s + v, 0) / grey.length + 0.5);
  return blend(frame, () => mean, factor);
}

/** PIL `ImageEnhance.Brightness`: blend with black, i.e. scale. */
export function adjustBrightness(frame: Uint8Array, _size: FrameSize, factor: number): Uint8Array {
  return blend(frame, () => 0, factor);
}

/** PIL `ImageEnhance.Sharpness`: blend with the 3×3 SMOOTH-filtered frame (kernel 1 1 1 / 1 5 1 / 1 1 1, ÷13). */
export function adjustSharpness(frame: Uint8Array, size: FrameSize, factor: number): Uint8Array {
  const { height, width, channels } = size;
  const smooth = frame.slice(); // border pixels stay as they are, like PIL
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) sum += frame[((y + dy) * width + x + dx) * channels + c];
        }
        const centre = frame[(y * width + x) * channels + c];
        smooth[(y * width + x) * channels + c] = clampByte((sum + 4 * centre) / 13);
      }
    }
  }
  return blend(frame, (i) => smooth[i], factor);
}

/**
 * Inverse affine warp: output pixel (x, y) samples the input at (a·x + b·y + c, d·x + e·y + f), bilinearly,
 * with `fill` outside the frame. The coefficients follow PIL's `Image.transform(AFFINE)` convention.
 */
export function warpAffine(
  frame: Uint8Array,
  size: FrameSize,
  coefficients: readonly [number, number, number, number, number, number],
  fill: number,
): Uint8Array {
  const { height, width, channels } = size;
  const [a, b, c, d, e, f] = coefficients;
  const out = new Uint8Array(frame.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Pixel centres: PIL maps (x + 0.5, y + 0.5) and samples around the centre of the source pixel.
      const sx = a * (x + 0.5) + b * (y + 0.5) + c - 0.5;
      const sy = d * (x + 0.5) + e * (y + 0.5) + f - 0.5;
      const o = (y * width + x) * channels;
      if (sx < -0.5 || sy < -0.5 || sx > width - 0.5 || sy > height - 0.5) {
        for (let k = 0; k < channels; k++) out[o + k] = fill;
        continue;
      }
      const x0 = Math.max(0, Math.min(width - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(height - 1, Math.floor(sy)));
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const wx = Math.min(Math.max(sx - x0, 0), 1);
      const wy = Math.min(Math.max(sy - y0, 0), 1);
      for (let k = 0; k < channels; k++) {
        const p00 = frame[(y0 * width + x0) * channels + k];
        const p01 = frame[(y0 * width + x1) * channels + k];
        const p10 = frame[(y1 * width + x0) * channels + k];
        const p11 = frame[(y1 * width + x1) * channels + k];
        out[o + k] = clampByte((1 - wy) * ((1 - wx) * p00 + wx * p01) + wy * ((1 - wx) * p10 + wx * p11));
      }
    }
  }
  return out;
}

/** Inverse-affine coefficients of a rotation by `degrees` counter-clockwise about the frame centre. */
export function rotationCoefficients(
  size: FrameSize,
  degrees: number,
): [number, number, number, number, number, number] {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cx = size.width / 2;
  const cy = size.height / 2;
  // input = R(−θ)·(output − centre) + centre, with y pointing down.
  return [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy];
}
