/**
 * The realism report: simulated A4C frames above frames of a real A4C cine (the shared pydicom sample, sector
 * cropped square and resized as EchoNet does), as one PNG, with grey-level and speckle statistics for both.
 *
 * The real cine comes in decoded (the phantom uses only the video package's writers; `tools/lib/real_cine.ts`
 * reads and crops a file for the CLI).
 */

import { type Clip, clipDims, rowMajorData } from "@echojepa/core";
import { renderClip } from "./clip.ts";
import { homogeneousEnvelope, snr } from "./homogeneous.ts";
import { samplePatient } from "./patient.ts";
import type { CineStatistics } from "./realism.ts";
import { cineStatistics, montagePng } from "./realism.ts";

/** Options of {@linkcode realismReport}. */
export interface RealismReportOptions {
  /** A real cine to compare against, decoded to grey and cropped square at 112×112 (or why it could not be read). */
  /** The real cine, grey `[T, 112, 112]` (sector cropped and resized as EchoNet does), or why it is missing. */
  real?: Clip<Uint8Array> | { error: string };
  /** Simulated A4C clips to average statistics over (default 8; the first two are drawn). */
  simulatedClips?: number;
  /** Frames per simulated clip (default 30, like the real sample). */
  frames?: number;
}

/** What {@linkcode realismReport} produced. */
export interface RealismReport {
  /** PNG bytes: two rows of simulated frames, then a row of real frames when available. */
  png: Uint8Array;
  /** Statistics averaged over the simulated clips (each with its own dynamic range). */
  simulated: CineStatistics;
  /** Envelope SNR of homogeneous simulated tissue before log compression (Rayleigh: 1.91). */
  homogeneousEnvelopeSnr: number;
  /** Statistics of the real cine (assumed dynamic range 50 dB), when it could be read. */
  real?: CineStatistics;
  /** Why the real sample is missing, when it is. */
  realError?: string;
}

const TILE = 112, COLS = 6;

/** Builds the realism report. */
export function realismReport(options: RealismReportOptions = {}): RealismReport {
  const n = options.simulatedClips ?? 8, frames = options.frames ?? 30;
  const step = Math.max(1, Math.floor(frames / COLS));
  const rows: Uint8Array[][] = [];
  const stats: CineStatistics[] = [];
  for (let i = 0; i < n; i++) {
    const clip = renderClip(samplePatient(900 + i, { pediatric: false }), "A4C", 31 + i, {
      frames,
      acquisition: { ui: false, fps: 30 },
    });
    const [t, h, w] = clip.frames.shape, pixels = rowMajorData(clip.frames);
    const mask = everLitMask(pixels, t, TILE * TILE);
    stats.push(cineStatistics(pixels, t, h, w, mask, clip.acquisition.dynamicRangeDb));
    if (i < 2) rows.push(tilesOf(pixels, t, step));
  }
  const mean = (key: keyof CineStatistics): number => stats.reduce((a, s) => a + s[key], 0) / stats.length;
  const simulated: CineStatistics = {
    frameMean: mean("frameMean"),
    frameStd: mean("frameStd"),
    sectorMean: mean("sectorMean"),
    sectorStd: mean("sectorStd"),
    windowEnvelopeSnr: mean("windowEnvelopeSnr"),
    windows: mean("windows"),
  };
  const report: RealismReport = {
    png: new Uint8Array(),
    simulated,
    homogeneousEnvelopeSnr: snr(homogeneousEnvelope(1)),
  };
  const real = options.real;
  if (real !== undefined && "error" in real) report.realError = real.error;
  else if (real !== undefined) {
    const { frames, height, width, channels } = clipDims(real, "realismReport");
    if (height !== TILE || width !== TILE || channels !== 1) {
      throw new RangeError(`realismReport: the real cine must be grey ${TILE}×${TILE}, got [${real.shape}]`);
    }
    const pixels = rowMajorData(real);
    const mask = everLitMask(pixels, frames, TILE * TILE);
    report.real = cineStatistics(pixels, frames, TILE, TILE, mask, 50);
    rows.push(tilesOf(pixels, frames, Math.max(1, Math.floor(frames / COLS))));
  }
  report.png = montagePng(rows, TILE);
  return report;
}

/** Up to six 112×112 frames of a cine, `step` frames apart. */
function tilesOf(frames: Uint8Array, t: number, step: number): Uint8Array[] {
  const px = TILE * TILE;
  return Array.from(
    { length: Math.min(COLS, Math.ceil(t / step)) },
    (_, c) => frames.slice(c * step * px, (c * step + 1) * px),
  );
}

/** Pixels ever brighter than 8 over a cine: the sector (and any UI), not the black surround. */
function everLitMask(frames: Uint8Array, t: number, px: number): Uint8Array {
  const m = new Uint8Array(px);
  for (let f = 0; f < t; f++) for (let k = 0; k < px; k++) if (frames[f * px + k] > 8) m[k] = 1;
  return m;
}
