/**
 * Resizes frame stacks with a separable triangle (bilinear) filter whose support widens when shrinking, so
 * downscaling a 640-pixel echo to 112 averages the pixels it drops instead of aliasing speckle (like PIL's
 * antialiased bilinear). Upscaling is plain bilinear with half-pixel centres (align_corners = false).
 * @module
 */
import { type Clip, clipDims, clipShapeOf, makeClip, rowMajorData } from "@echojepa/core";

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = Math.max(1, scale); // filter half-width in input pixels
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inSize, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let i = lo; i < hi && n < maxTaps; i++, n++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
      weights[o * maxTaps + n] = w;
      total += w;
    }
    if (total === 0) { // degenerate: nearest pixel
      weights[o * maxTaps] = 1;
      total = 1;
      n = Math.max(n, 1);
    }
    for (let k = 0; k < n; k++) weights[o * maxTaps + k] /= total;
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

/** Resizes every frame of a clip to `width × height` (a new row-major clip; the clip itself when no resize). */
export function resizeStack(clip: Clip<Uint8Array>, width: number, height: number): Clip<Uint8Array> {
  const dims = clipDims(clip, "resizeStack");
  if (dims.width === width && dims.height === height) return clip;
  if (!(width > 0 && height > 0)) throw new RangeError(`resize target ${width}x${height}`);
  const c = dims.channels;
  const stack = { ...dims, data: rowMajorData(clip) };
  const h = taps(stack.width, width);
  const v = taps(stack.height, height);
  const out = new Uint8Array(stack.frames * width * height * c);
  const rows = new Float32Array(stack.height * width * c);
  for (let t = 0; t < stack.frames; t++) {
    const src = stack.data.subarray(
      t * stack.width * stack.height * c,
      (t + 1) * stack.width * stack.height * c,
    );
    // Horizontal pass into float rows (a specialised loop for grey, the common case).
    if (c === 1) {
      for (let y = 0; y < stack.height; y++) {
        const row = y * stack.width;
        for (let x = 0; x < width; x++) {
          let sum = 0;
          const start = row + h.start[x];
          const w0 = x * h.maxTaps;
          for (let n = 0; n < h.count[x]; n++) sum += h.weights[w0 + n] * src[start + n];
          rows[y * width + x] = sum;
        }
      }
    } else {
      for (let y = 0; y < stack.height; y++) {
        for (let x = 0; x < width; x++) {
          for (let k = 0; k < c; k++) {
            let sum = 0;
            for (let n = 0; n < h.count[x]; n++) {
              sum += h.weights[x * h.maxTaps + n] * src[((y * stack.width) + h.start[x] + n) * c + k];
            }
            rows[(y * width + x) * c + k] = sum;
          }
        }
      }
    }
    // Vertical pass into bytes.
    const base = t * width * height * c;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let k = 0; k < c; k++) {
          let sum = 0;
          for (let n = 0; n < v.count[y]; n++) {
            sum += v.weights[y * v.maxTaps + n] * rows[((v.start[y] + n) * width + x) * c + k];
          }
          out[base + (y * width + x) * c + k] = sum < 0 ? 0 : sum > 255 ? 255 : Math.round(sum);
        }
      }
    }
  }
  return makeClip(out, clipShapeOf({ frames: stack.frames, height, width, channels: c }));
}
