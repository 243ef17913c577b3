/**
 * Reference baselines on the phantom's labels, used by the tests and by `deno task synth --eval`:
 * a nearest-centroid view classifier on raw downsampled pixels (how far anatomy alone, without any learned
 * invariance, separates the views) and a linear check that the RVSP-like target needs two views.
 */

import type { NuisanceLevel } from "./acquisition.ts";
import { renderClip } from "./clip.ts";
import type { Patient } from "./patient.ts";
import { deriveSeed, rowMajorData } from "@echojepa/core";
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
    const [t, h, w] = clip.frames.shape;
    return rawPixelFeature(rowMajorData(clip.frames), t, h, w, f);
  };
  const centroids = views.map(() => new Float64Array(f * f));
  for (let p = 0; p < options.trainPatients; p++) {
    const s = deriveSeed(seed, p, 0x7a1);
    const patient = studyPatient(s);
    views.forEach((v, vi) => {
      const x = feature(s, patient, v);
      for (let i = 0; i < x.length; i++) centroids[vi][i] += x[i] / options.trainPatients;
    });
  }
  const confusion = views.map(() => views.map(() => 0));
  let correct = 0, total = 0;
  for (let p = 0; p < options.testPatients; p++) {
    const s = deriveSeed(seed, p, 0x7e57);
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

/** Options of {@linkcode efPixelOracle}. */
export interface EfOracleOptions {
  /** Patients whose A4C clips fit the ridge, and held-out patients it is scored on (disjoint seeds). */
  trainPatients: number;
  testPatients: number;
  /** Clip size, frames and frame rate (the demo's clip geometry). */
  size: number;
  frames: number;
  fps: number;
  /** Pooled feature grid side (default 8: low-pass, far coarser than speckle). */
  featureSize?: number;
  /** Ridge strengths tried on a validation fifth of the training patients (default 10^−2 … 10^3). */
  lambdas?: number[];
  /** Nuisance level and speckle strength of the clips (defaults "full", 1). */
  nuisance?: NuisanceLevel;
  speckleStrength?: number;
  seed?: number;
}

/** How well low-pass pixels predict EF on held-out patients, beside the mean predictor. */
export interface EfOracleResult {
  /** Mean absolute error of the ridge, EF points. */
  mae: number;
  /** Mean absolute error of predicting the training mean. */
  meanPredictorMae: number;
  /** R² on the test patients. */
  r2: number;
  /** The ridge strength chosen on validation. */
  lambda: number;
}

/**
 * An EF oracle on raw pixels: each A4C clip becomes low-pass features (per pooled cell: mean, standard deviation
 * and range over frames — the cavity's grey-level excursion grows with stroke volume), a ridge on standardised
 * features is fitted on training patients (strength chosen on a validation fifth of them) and scored on disjoint
 * test patients. If this cannot beat the mean predictor at a clip geometry, no frozen-feature EF result at that
 * geometry carries signal. Its seeds are its own (never a demo split).
 */
export function efPixelOracle(options: EfOracleOptions): EfOracleResult {
  const f = options.featureSize ?? 8, seed = options.seed ?? 0;
  const lambdas = options.lambdas ?? [1e-2, 1e-1, 1, 10, 100, 1000];
  const sample = (p: number, tag: number): { x: number[]; ef: number } => {
    const s = deriveSeed(seed, p, tag);
    const patient = studyPatient(s);
    const clip = renderClip(patient, "A4C", studyClipSeed(s, "A4C", 0), {
      frames: options.frames,
      height: options.size,
      width: options.size,
      nuisance: options.nuisance ?? "full",
      speckleStrength: options.speckleStrength ?? 1,
      acquisition: { fps: options.fps },
    });
    const [t, h, w] = clip.frames.shape, pixels = rowMajorData(clip.frames);
    const cells = f * f, per = new Float64Array(t * cells);
    for (let k = 0; k < t; k++) {
      const one = rawPixelFeature(pixels.subarray(k * h * w), 1, h, w, f);
      per.set(one, k * cells);
    }
    const x: number[] = [];
    for (let c = 0; c < cells; c++) {
      let m = 0, lo = Infinity, hi = -Infinity;
      for (let k = 0; k < t; k++) {
        const v = per[k * cells + c];
        m += v / t;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      let v2 = 0;
      for (let k = 0; k < t; k++) v2 += (per[k * cells + c] - m) ** 2 / t;
      x.push(m, Math.sqrt(v2), hi - lo);
    }
    return { x, ef: clip.labels.ef };
  };
  const train = Array.from({ length: options.trainPatients }, (_, p) => sample(p, 0xef01));
  const test = Array.from({ length: options.testPatients }, (_, p) => sample(p, 0xef7e));
  const nVal = Math.max(1, Math.floor(train.length / 5));
  const fitPart = train.slice(nVal), valPart = train.slice(0, nVal);
  const maeOf = (w: number[], rows: { x: number[]; ef: number }[], scale: Scale): number =>
    rows.reduce((s, r) => s + Math.abs(predictRidge(w, scale, r.x) - r.ef), 0) / rows.length;
  let best = { lambda: lambdas[0], mae: Infinity };
  for (const lambda of lambdas) {
    const scale = fitScale(fitPart.map((r) => r.x));
    const w = ridgeWeights(fitPart, scale, lambda);
    const m = maeOf(w, valPart, scale);
    if (m < best.mae) best = { lambda, mae: m };
  }
  const scale = fitScale(train.map((r) => r.x));
  const w = ridgeWeights(train, scale, best.lambda);
  const meanEf = train.reduce((s, r) => s + r.ef, 0) / train.length;
  const testMean = test.reduce((s, r) => s + r.ef, 0) / test.length;
  let ssRes = 0, ssTot = 0;
  for (const r of test) {
    ssRes += (predictRidge(w, scale, r.x) - r.ef) ** 2;
    ssTot += (r.ef - testMean) ** 2;
  }
  return {
    mae: maeOf(w, test, scale),
    meanPredictorMae: test.reduce((s, r) => s + Math.abs(r.ef - meanEf), 0) / test.length,
    r2: 1 - ssRes / ssTot,
    lambda: best.lambda,
  };
}

interface Scale {
  mean: number[];
  std: number[];
}

function fitScale(x: number[][]): Scale {
  const d = x[0].length, n = x.length;
  const mean = new Array<number>(d).fill(0), std = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  for (const row of x) for (let j = 0; j < d; j++) std[j] += (row[j] - mean[j]) ** 2 / n;
  return { mean, std: std.map((v) => Math.sqrt(v) || 1) };
}

/** Ridge weights `[bias, w…]` on standardised features (the bias is not penalised). */
function ridgeWeights(rows: { x: number[]; ef: number }[], scale: Scale, lambda: number): number[] {
  const d = rows[0].x.length + 1;
  const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const b = new Array<number>(d).fill(0);
  for (const r of rows) {
    const z = [1, ...r.x.map((v, j) => (v - scale.mean[j]) / scale.std[j])];
    for (let i = 0; i < d; i++) {
      b[i] += z[i] * r.ef;
      for (let j = 0; j < d; j++) A[i][j] += z[i] * z[j];
    }
  }
  for (let i = 1; i < d; i++) A[i][i] += lambda;
  return solve(A, b);
}

function predictRidge(w: number[], scale: Scale, x: number[]): number {
  let s = w[0];
  for (let j = 0; j < x.length; j++) s += w[j + 1] * ((x[j] - scale.mean[j]) / scale.std[j]);
  return s;
}
