/**
 * The realism report: simulated A4C frames above frames of a real A4C cine (the shared pydicom sample, sector
 * cropped square and resized as EchoNet does), as one PNG, with grey-level and speckle statistics for both.
 */

import { cropStack, detectSector, openVideo, resizeStack, squareBox, toGrey } from "@echojepa/video";
import { renderClip } from "./clip.ts";
import { homogeneousEnvelope, snr } from "./homogeneous.ts";
import { samplePatient } from "./patient.ts";
import type { CineStatistics } from "./realism.ts";
import { cineStatistics, montagePng } from "./realism.ts";

/** Options of {@linkcode realismReport}. */
export interface RealismReportOptions {
  /** Path or URL of a real cine to compare against (DICOM/AVI); skipped with a note when unreadable. */
  realSample?: string | URL;
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
export async function realismReport(options: RealismReportOptions = {}): Promise<RealismReport> {
  const n = options.simulatedClips ?? 8, frames = options.frames ?? 30;
  const step = Math.max(1, Math.floor(frames / COLS));
  const rows: Uint8Array[][] = [];
  const stats: CineStatistics[] = [];
  for (let i = 0; i < n; i++) {
    const clip = renderClip(samplePatient(900 + i, { pediatric: false }), "A4C", 31 + i, {
      frames,
      acquisition: { ui: false, fps: 30 },
    });
    const mask = everLitMask(clip.frames, clip.t, TILE * TILE);
    stats.push(cineStatistics(clip.frames, clip.t, clip.h, clip.w, mask, clip.acquisition.dynamicRangeDb));
    if (i < 2) rows.push(tilesOf(clip.frames, clip.t, step));
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
  if (options.realSample !== undefined) {
    try {
      const path = options.realSample instanceof URL ? options.realSample.pathname : options.realSample;
      const video = await openVideo(path);
      const stack = toGrey(await video.readAll());
      video.close();
      const sector = detectSector(stack);
      const square = resizeStack(
        cropStack(stack, squareBox(sector.box, stack.width, stack.height)),
        TILE,
        TILE,
      );
      const mask = everLitMask(square.data, square.frames, TILE * TILE);
      report.real = cineStatistics(square.data, square.frames, TILE, TILE, mask, 50);
      rows.push(tilesOf(square.data, square.frames, Math.max(1, Math.floor(square.frames / COLS))));
    } catch (err) {
      report.realError = err instanceof Error ? err.message : String(err);
    }
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
