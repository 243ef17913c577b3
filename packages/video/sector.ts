/**
 * Echo preprocessing: grey conversion, automatic detection of the ultrasound sector (the fan), blanking of
 * everything outside it (ECG trace, text, calipers) and cropping to its bounding box.
 *
 * Sector detection follows the idea of EchoPrime's `mask_outside_ultrasound`: pixels whose brightness changes
 * over the cine are inside the sector (text and UI are static); for a still, bright-enough pixels are used. The
 * candidate mask is opened (erode then dilate) to drop thin lines such as the ECG sweep, reduced to its largest
 * connected region, and replaced by that region's convex hull, which restores the dark blood pool inside the fan.
 * @module
 */
import { type Clip, clipDims, clipShapeOf, makeClip, rowMajorData } from "@echojepa/core";
import type { PixelRegion } from "./video.ts";

/** Converts a clip to grey `[T, H, W]` (luma, ITU-R BT.601 weights); grey clips are returned as they are. */
export function toGrey(stack: Clip<Uint8Array>): Clip<Uint8Array> {
  const { frames, height, width, channels } = clipDims(stack, "toGrey");
  if (channels === 1) return stack.shape.length === 3 ? stack : stack.pick(null, null, null, 0);
  if (channels !== 3) throw new RangeError(`toGrey: needs 1 or 3 channels, got ${channels}`);
  const count = frames * height * width;
  const data = new Uint8Array(count);
  const rgb = rowMajorData(stack);
  for (let i = 0, j = 0; i < count; i++, j += 3) {
    data[i] = (rgb[j] * 299 + rgb[j + 1] * 587 + rgb[j + 2] * 114 + 500) / 1000;
  }
  return makeClip(data, [frames, height, width]);
}

/** Options for {@link detectSector}. */
export interface SectorOptions {
  /** Minimum max−min brightness change over time for a pixel to count as moving (default 12). */
  motionThreshold?: number;
  /** Minimum brightness for the still-image fallback (default 8). */
  intensityThreshold?: number;
  /** Also count bright static pixels of a cine as candidates (default false: it can pull in static UI marks). */
  includeStatic?: boolean;
  /** Only look inside this region (e.g. the DICOM tissue region); pixels outside are never in the sector. */
  within?: PixelRegion;
  /** Radius of the opening that removes thin structures, in pixels (default: 1% of the larger side, ≥ 1). */
  openingRadius?: number;
}

/** A detected sector: a per-pixel mask (1 inside) and its bounding box. */
export interface Sector {
  /** `height*width` bytes, 1 inside the sector, 0 outside. */
  mask: Uint8Array;
  /** Frame width. */
  width: number;
  /** Frame height. */
  height: number;
  /** Bounding box of the mask. */
  box: PixelRegion;
  /** Fraction of the frame inside the sector. */
  coverage: number;
  /** "motion" when found from changes over time, "intensity" for stills, "full" when nothing was found. */
  method: "motion" | "intensity" | "full";
}

/** Detects the ultrasound sector of a cine (or still). Falls back to the whole frame when nothing is found. */
export function detectSector(stack: Clip<Uint8Array>, options: SectorOptions = {}): Sector {
  const grey = toGrey(stack);
  const { width, height, frames } = clipDims(grey, "detectSector");
  const greyData = rowMajorData(grey);
  const pixels = width * height;
  const candidate = new Uint8Array(pixels);
  let method: Sector["method"] = "motion";
  if (frames > 1) {
    const threshold = options.motionThreshold ?? 12;
    const low = new Uint8Array(pixels).fill(255);
    const high = new Uint8Array(pixels);
    for (let t = 0; t < frames; t++) {
      const frame = greyData.subarray(t * pixels, (t + 1) * pixels);
      for (let i = 0; i < pixels; i++) {
        const v = frame[i];
        if (v < low[i]) low[i] = v;
        if (v > high[i]) high[i] = v;
      }
    }
    for (let i = 0; i < pixels; i++) candidate[i] = high[i] - low[i] >= threshold ? 1 : 0;
    if (options.includeStatic ?? false) {
      // Dim speckle far in the fan moves little: add bright-enough pixels; the opening and the largest-region
      // step keep thin static text from joining.
      const mean = meanFrame(greyData, frames, pixels);
      const threshold = options.intensityThreshold ?? 8;
      for (let i = 0; i < pixels; i++) if (mean[i] >= threshold) candidate[i] = 1;
    }
  }
  if (frames === 1 || countOnes(candidate) < pixels * 0.02) {
    // Still image (or a cine that barely moves): bright pixels instead.
    method = "intensity";
    const threshold = options.intensityThreshold ?? 8;
    const mean = meanFrame(greyData, frames, pixels);
    for (let i = 0; i < pixels; i++) candidate[i] = mean[i] >= threshold ? 1 : 0;
  }
  if (options.within) {
    const { x0, y0, x1, y1 } = options.within;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (x < x0 || x >= x1 || y < y0 || y >= y1) candidate[y * width + x] = 0;
      }
    }
  }
  const radius = options.openingRadius ?? Math.max(1, Math.round(Math.max(width, height) / 100));
  const opened = dilate(erode(candidate, width, height, radius), width, height, radius);
  const region = largestComponent(opened, width);
  if (countOnes(region) < pixels * 0.01) {
    const mask = new Uint8Array(pixels).fill(1);
    return { mask, width, height, box: { x0: 0, y0: 0, x1: width, y1: height }, coverage: 1, method: "full" };
  }
  const mask = convexHullMask(region, width, height);
  const box = boundingBox(mask, width, height);
  return { mask, width, height, box, coverage: countOnes(mask) / pixels, method };
}

function meanFrame(grey: Uint8Array, frames: number, pixels: number): Float32Array {
  const mean = new Float32Array(pixels);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < pixels; i++) mean[i] += grey[t * pixels + i] / frames;
  }
  return mean;
}

function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

/** Separable square min-filter (erosion) of a 0/1 mask. */
function erode(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return morph(mask, width, height, radius, true);
}

/** Separable square max-filter (dilation) of a 0/1 mask. */
function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return morph(mask, width, height, radius, false);
}

function morph(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number,
  isErode: boolean,
): Uint8Array {
  const pass = (src: Uint8Array, horizontal: boolean): Uint8Array => {
    const out = new Uint8Array(src.length);
    const lines = horizontal ? height : width;
    const length = horizontal ? width : height;
    const stride = horizontal ? 1 : width;
    for (let line = 0; line < lines; line++) {
      const base = horizontal ? line * width : line;
      // Running count of ones in the window [k - radius, k + radius] (outside the frame counts as zero).
      let ones = 0;
      for (let k = 0; k <= Math.min(radius, length - 1); k++) ones += src[base + k * stride];
      for (let k = 0; k < length; k++) {
        const windowSize = Math.min(length - 1, k + radius) - Math.max(0, k - radius) + 1;
        out[base + k * stride] = isErode
          ? (ones === windowSize && windowSize === 2 * radius + 1 ? 1 : 0)
          : ones > 0
          ? 1
          : 0;
        const leaving = k - radius;
        const entering = k + radius + 1;
        if (leaving >= 0) ones -= src[base + leaving * stride];
        if (entering < length) ones += src[base + entering * stride];
      }
    }
    return out;
  };
  return pass(pass(mask, true), false);
}

/** The largest 4-connected region of ones. */
function largestComponent(mask: Uint8Array, width: number): Uint8Array {
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    next++;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const x = p % width;
      // 4-neighbours, inlined: this loop runs once per candidate pixel.
      if (x > 0 && mask[p - 1] && !labels[p - 1]) {
        labels[p - 1] = next;
        stack[top++] = p - 1;
      }
      if (x < width - 1 && mask[p + 1] && !labels[p + 1]) {
        labels[p + 1] = next;
        stack[top++] = p + 1;
      }
      if (p >= width && mask[p - width] && !labels[p - width]) {
        labels[p - width] = next;
        stack[top++] = p - width;
      }
      if (p + width < mask.length && mask[p + width] && !labels[p + width]) {
        labels[p + width] = next;
        stack[top++] = p + width;
      }
    }
    if (size > bestSize) {
      bestSize = size;
      best = next;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = labels[i] === best && best > 0 ? 1 : 0;
  return out;
}

/** Fills the convex hull of a region (hull of each row's end points, Andrew's monotone chain). */
function convexHullMask(region: Uint8Array, width: number, height: number): Uint8Array {
  const points: [number, number][] = [];
  for (let y = 0; y < height; y++) {
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (region[y * width + x]) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first >= 0) {
      // Pixel corners, so a single row or column still has an area.
      points.push([first, y], [last + 1, y], [first, y + 1], [last + 1, y + 1]);
    }
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  const mask = new Uint8Array(width * height);
  // Scanline fill at pixel centres: a convex polygon cuts each row in one interval.
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    let left = Infinity;
    let right = -Infinity;
    for (let i = 0; i < hull.length; i++) {
      const [x0, y0] = hull[i];
      const [x1, y1] = hull[(i + 1) % hull.length];
      if ((y0 <= cy && y1 >= cy) || (y1 <= cy && y0 >= cy)) {
        const x = y1 === y0 ? Math.min(x0, x1) : x0 + ((cy - y0) * (x1 - x0)) / (y1 - y0);
        const xMax = y1 === y0 ? Math.max(x0, x1) : x;
        left = Math.min(left, x);
        right = Math.max(right, xMax);
      }
    }
    if (left > right) continue;
    const from = Math.max(0, Math.ceil(left - 0.5));
    const to = Math.min(width - 1, Math.floor(right - 0.5));
    mask.fill(1, y * width + from, y * width + to + 1);
  }
  return mask;
}

/** Bounding box (x1/y1 exclusive) of the ones of a mask; the whole frame when it is empty. */
export function boundingBox(mask: Uint8Array, width: number, height: number): PixelRegion {
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        if (x < x0) x0 = x;
        if (x >= x1) x1 = x + 1;
        if (y < y0) y0 = y;
        if (y >= y1) y1 = y + 1;
      }
    }
  }
  return x1 > x0 ? { x0, y0, x1, y1 } : { x0: 0, y0: 0, x1: width, y1: height };
}

/** Zeroes every pixel outside the mask, in every frame (returns a new row-major clip). */
export function applyMask(stack: Clip<Uint8Array>, mask: Uint8Array): Clip<Uint8Array> {
  const dims = clipDims(stack, "applyMask");
  const pixels = dims.width * dims.height;
  if (mask.length !== pixels) throw new RangeError(`mask has ${mask.length} pixels, frames have ${pixels}`);
  const src = rowMajorData(stack);
  const data = new Uint8Array(src.length);
  const c = dims.channels;
  for (let t = 0; t < dims.frames; t++) {
    for (let i = 0; i < pixels; i++) {
      if (!mask[i]) continue;
      const o = (t * pixels + i) * c;
      for (let k = 0; k < c; k++) data[o + k] = src[o + k];
    }
  }
  return makeClip(data, clipShapeOf(dims));
}

/** Crops every frame to a box (x1/y1 exclusive): a view of the same samples, nothing is copied. */
export function cropStack(stack: Clip<Uint8Array>, box: PixelRegion): Clip<Uint8Array> {
  const { frames, height, width } = clipDims(stack, "cropStack");
  const { x0, y0, x1, y1 } = box;
  if (!(x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height && x1 > x0 && y1 > y0)) {
    throw new RangeError(`crop box ${JSON.stringify(box)} outside ${width}x${height}`);
  }
  return stack.lo(0, y0, x0).hi(frames, y1 - y0, x1 - x0);
}

/** Makes a box square (centred, grown along its short side, clamped to the frame) as EchoNet crops do. */
export function squareBox(box: PixelRegion, width: number, height: number): PixelRegion {
  const side = Math.min(Math.max(box.x1 - box.x0, box.y1 - box.y0), width, height);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const x0 = Math.min(Math.max(0, Math.round(cx - side / 2)), width - side);
  const y0 = Math.min(Math.max(0, Math.round(cy - side / 2)), height - side);
  return { x0, y0, x1: x0 + side, y1: y0 + side };
}
