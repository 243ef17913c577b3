/**
 * Realism statistics comparing simulated and real cines on equal terms (both as 8-bit grey frames with a
 * sector mask), and a PNG montage for eyeballing them side by side.
 */

import { encode } from "fast-png";

/** Grey-level and speckle statistics of a cine inside its sector. */
export interface CineStatistics {
  /** Mean and standard deviation of all grey levels over the whole frame (EchoNet-style normalisation stats). */
  frameMean: number;
  frameStd: number;
  /** Mean and standard deviation of grey levels inside the sector. */
  sectorMean: number;
  sectorStd: number;
  /**
   * Median envelope SNR (mean/std) over 8×8 tissue windows inside the sector, after undoing the log compression
   * with an assumed dynamic range (real files do not record theirs). Rayleigh speckle gives ≈ 1.91; edges and
   * heterogeneity lower it.
   */
  windowEnvelopeSnr: number;
  /** Number of tissue windows used. */
  windows: number;
}

/** Computes {@linkcode CineStatistics} for `t × h × w` frames and a `h × w` sector mask (1 inside). */
export function cineStatistics(
  frames: Uint8Array,
  t: number,
  h: number,
  w: number,
  mask: Uint8Array,
  assumedDynamicRangeDb = 50,
): CineStatistics {
  let s = 0, s2 = 0, n = 0, fs = 0, fs2 = 0;
  for (let f = 0; f < t; f++) {
    for (let k = 0; k < h * w; k++) {
      const v = frames[f * h * w + k];
      fs += v;
      fs2 += v * v;
      if (!mask[k]) continue;
      s += v;
      s2 += v * v;
      n++;
    }
  }
  const sectorMean = s / n, frameMean = fs / (t * h * w);
  const toEnvelope = (g: number) => Math.pow(10, (g / 255) * assumedDynamicRangeDb / 20);
  const snrs: number[] = [];
  const win = 8;
  for (let f = 0; f < t; f++) {
    for (let y = 0; y + win <= h; y += win) {
      for (let x = 0; x + win <= w; x += win) {
        let inside = true, gs = 0;
        const env: number[] = [];
        for (let dy = 0; dy < win && inside; dy++) {
          for (let dx = 0; dx < win; dx++) {
            const k = (y + dy) * w + x + dx;
            if (!mask[k]) {
              inside = false;
              break;
            }
            const g = frames[f * h * w + k];
            gs += g;
            env.push(toEnvelope(g));
          }
        }
        // Tissue windows only: blood and the empty far field would measure noise, not speckle.
        if (!inside || gs / (win * win) < 40) continue;
        const m = env.reduce((a, b) => a + b, 0) / env.length;
        const sd = Math.sqrt(env.reduce((a, b) => a + (b - m) ** 2, 0) / env.length);
        if (sd > 0) snrs.push(m / sd);
      }
    }
  }
  snrs.sort((a, b) => a - b);
  return {
    frameMean,
    frameStd: Math.sqrt(fs2 / (t * h * w) - frameMean * frameMean),
    sectorMean,
    sectorStd: Math.sqrt(s2 / n - sectorMean * sectorMean),
    windowEnvelopeSnr: snrs.length ? snrs[snrs.length >> 1] : Number.NaN,
    windows: snrs.length,
  };
}

/** Lays out grey tiles (`rows[r][c]`, each `tile × tile`) on a grid with a 2-pixel gap, as PNG bytes. */
export function montagePng(rows: Uint8Array[][], tile: number): Uint8Array {
  const gap = 2;
  const cols = Math.max(...rows.map((r) => r.length));
  const width = cols * (tile + gap) - gap, height = rows.length * (tile + gap) - gap;
  const data = new Uint8Array(width * height).fill(40);
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      if (img.length !== tile * tile) {
        throw new Error(`montagePng: tile ${r},${c} has ${img.length} bytes, expected ${tile * tile}`);
      }
      for (let y = 0; y < tile; y++) {
        data.set(img.subarray(y * tile, (y + 1) * tile), (r * (tile + gap) + y) * width + c * (tile + gap));
      }
    })
  );
  return encode({ width, height, data, channels: 1, depth: 8 });
}
