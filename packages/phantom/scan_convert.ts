/**
 * Scan conversion: resamples the polar (depth × angle) image onto the Cartesian display, with the probe at the
 * top centre (EchoNet-style crop: the display is depth / zoom cm tall, with square pixels).
 */

import type { PolarGrid } from "./polar_grid.ts";

/** A precomputed bilinear lookup from display pixels to polar samples. */
export interface ScanConverter {
  width: number;
  height: number;
  /** Polar index of the top-left neighbour per pixel, or −1 outside the sector. */
  index: Int32Array;
  /** Bilinear weights along depth and angle per pixel. */
  wr: Float32Array;
  wt: Float32Array;
}

/** Builds the lookup for a `height × width` display of a grid. */
export function makeScanConverter(
  grid: PolarGrid,
  height: number,
  width: number,
  zoom: number,
): ScanConverter {
  const side = grid.depth / zoom;
  const n = width * height;
  const index = new Int32Array(n).fill(-1), wr = new Float32Array(n), wt = new Float32Array(n);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      // Square pixels: the crop is `side` cm tall and side·width/height cm wide.
      const x = (px + 0.5 - width / 2) * (side / height);
      const z = ((py + 0.5) / height) * side;
      const r = Math.sqrt(x * x + z * z);
      const th = Math.atan2(x, z);
      if (r >= grid.depth || Math.abs(th) >= grid.halfAngle) continue;
      const fr = Math.min(grid.nr - 1.001, Math.max(0, r / grid.dr - 0.5));
      const ft = Math.min(grid.nt - 1.001, Math.max(0, (th + grid.halfAngle) / grid.dTheta - 0.5));
      const i0 = Math.floor(fr), j0 = Math.floor(ft);
      const k = py * width + px;
      index[k] = i0 * grid.nt + j0;
      wr[k] = fr - i0;
      wt[k] = ft - j0;
    }
  }
  return { width, height, index, wr, wt };
}

/** Resamples a polar grey image (float) into `out` (float, display size); pixels outside the sector get 0. */
export function scanConvert(sc: ScanConverter, nt: number, polar: Float32Array, out: Float32Array): void {
  for (let k = 0; k < out.length; k++) {
    const i = sc.index[k];
    if (i < 0) {
      out[k] = 0;
      continue;
    }
    const a = sc.wr[k], b = sc.wt[k];
    out[k] = (1 - a) * ((1 - b) * polar[i] + b * polar[i + 1]) +
      a * ((1 - b) * polar[i + nt] + b * polar[i + nt + 1]);
  }
}

/** True for display pixels inside the sector. */
export function sectorMask(sc: ScanConverter): Uint8Array {
  const m = new Uint8Array(sc.index.length);
  for (let k = 0; k < m.length; k++) m[k] = sc.index[k] >= 0 ? 1 : 0;
  return m;
}
