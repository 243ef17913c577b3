/**
 * Reference baselines on the phantom's labels, used by the tests and by `deno task synth --eval`:
 * a nearest-centroid view classifier on raw downsampled pixels (how far anatomy alone, without any learned
 * invariance, separates the views) and a linear check that the RVSP-like target needs two views.
 */

import { renderClip } from "./clip.ts";
import type { Patient } from "./patient.ts";
import { mixSeeds } from "./rng.ts";
import { studyClipSeed, studyPatient } from "./study.ts";
import type { ViewName } from "./views.ts";
import { VIEW_NAMES } from "./views.ts";

/** Options of {@linkcode rawPixelViewBaseline}. */
export interface ViewBaselineOptions {
  trainPatients: number;
  testPatients: number;
  /** Render size (default 64) and pooled feature size (default 16). */
  size?: number;
  featureSize?: number;
  /** Frames rendered per clip (features average them; default 2). */
  frames?: number;
  seed?: number;
  views?: readonly ViewName[];
}

/** Result of the raw-pixel baseline. */
export interface ViewBaselineResult {
  accuracy: number;
  chance: number;
  /** confusion[true][predicted], in `views` order. */
  confusion: number[][];
  views: readonly ViewName[];
  testClips: number;
}

/** Average-pools the mean frame of a clip to `f × f` and standardises it (zero mean, unit norm). */
export function rawPixelFeature(
  frames: Uint8Array,
  t: number,
  h: number,
  w: number,
  f: number,
): Float64Array {
  const out = new Float64Array(f * f);
  for (let k = 0; k < t; k++) {
    for (let y = 0; y < h; y++) {
      const fy = Math.min(f - 1, Math.floor((y * f) / h));
      for (let x = 0; x < w; x++) {
        out[fy * f + Math.min(f - 1, Math.floor((x * f) / w))] += frames[(k * h + y) * w + x];
      }
    }
  }
  let mean = 0;
  for (const v of out) mean += v / out.length;
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += (out[i] -= mean) ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/**
 * Nearest-centroid view classification on raw pooled pixels, trained and tested on disjoint patients with full
 * nuisance variation.
 */
export function rawPixelViewBaseline(options: ViewBaselineOptions): ViewBaselineResult {
  const views = options.views ?? VIEW_NAMES;
  const size = options.size ?? 64, f = options.featureSize ?? 16, frames = options.frames ?? 2;
  const seed = options.seed ?? 0;
  const feature = (studySeed: number, patient: Patient, view: ViewName): Float64Array => {
    const clip = renderClip(patient, view, studyClipSeed(studySeed, view, 0), {
      frames,
      height: size,
      width: size,
    });
    return rawPixelFeature(clip.frames, clip.t, clip.h, clip.w, f);
  };
  const centroids = views.map(() => new Float64Array(f * f));
  for (let p = 0; p < options.trainPatients; p++) {
    const s = mixSeeds(seed, p, 0x7a1);
    const patient = studyPatient(s);
    views.forEach((v, vi) => {
      const x = feature(s, patient, v);
      for (let i = 0; i < x.length; i++) centroids[vi][i] += x[i] / options.trainPatients;
    });
  }
  const confusion = views.map(() => views.map(() => 0));
  let correct = 0, total = 0;
  for (let p = 0; p < options.testPatients; p++) {
    const s = mixSeeds(seed, p, 0x7e57);
    const patient = studyPatient(s);
    views.forEach((v, vi) => {
      const x = feature(s, patient, v);
      let best = 0, bestD = Infinity;
      centroids.forEach((c, ci) => {
        let d = 0;
        for (let i = 0; i < x.length; i++) d += (x[i] - c[i]) ** 2;
        if (d < bestD) bestD = d, best = ci;
      });
      confusion[vi][best]++;
      if (best === vi) correct++;
      total++;
    });
  }
  return { accuracy: correct / total, chance: 1 / views.length, confusion, views, testClips: total };
}

/** R² of an ordinary least-squares fit (with intercept) of y on the columns of x. */
export function linearR2(x: number[][], y: number[]): number {
  const n = y.length, d = x[0].length + 1;
  // Normal equations with a tiny ridge for numerical safety.
  const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const b = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const row = [1, ...x[i]];
    for (let r = 0; r < d; r++) {
      b[r] += row[r] * y[i];
      for (let c = 0; c < d; c++) A[r][c] += row[r] * row[c];
    }
  }
  for (let r = 1; r < d; r++) A[r][r] += 1e-9 * n;
  const w = solve(A, b);
  const mean = y.reduce((a, v) => a + v, 0) / n;
  let ssRes = 0, ssTot = 0;
  for (let i = 0; i < n; i++) {
    const pred = w[0] + x[i].reduce((a, v, j) => a + v * w[j + 1], 0);
    ssRes += (y[i] - pred) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = M[r][c] / M[c][c];
      for (let j = c; j <= n; j++) M[r][j] -= k * M[c][j];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

/** What each view shows of the RVSP components, per patient (the quantities a model could read off the images). */
export function rvspViewFeatures(p: Patient): { a4c: number[]; subcostal: number[] } {
  return {
    a4c: [p.rvScale, p.septalFlattening, p.heartScale],
    subcostal: [p.ivcDiameter, p.ivcCollapse, p.heartScale],
  };
}
