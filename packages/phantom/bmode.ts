/**
 * From beamformed IQ to displayed grey levels on the polar grid: depth attenuation (two-way, frequency
 * dependent), sector-edge fall-off, electronic noise, time-gain compensation, envelope detection and log
 * compression into a display window (dynamic range and white level).
 */

import type { ComplexImage, PolarGrid } from "./polar_grid.ts";
import { fastLog2 } from "./fast_math.ts";
import { Random } from "@echojepa/core";

/** Settings of the receive chain. */
export interface ReceiveChain {
  /** Tissue attenuation, dB/cm/MHz. */
  attenuation: number;
  frequencyMHz: number;
  /** Fraction of the attenuation undone by TGC. */
  tgc: number;
  /** Noise level re. the tissue reference, dB. */
  noiseDb: number;
  /** White level re. the tissue reference, dB. */
  gainDb: number;
  dynamicRangeDb: number;
  /** Sector-edge fall-off strength, 0–1. */
  edgeFalloff: number;
  /** RMS envelope of fully developed speckle from unit-echo tissue (sets 0 dB). */
  reference: number;
}

/** Precomputed per-depth and per-beam gains of a receive chain on a grid. */
export interface ReceiveGains {
  /** Signal gain per depth sample (attenuation). */
  signalRow: Float32Array;
  /** TGC per depth sample (applied to signal and noise). */
  tgcRow: Float32Array;
  /** Directivity per beam. */
  beamCol: Float32Array;
  /** Noise standard deviation per real/imaginary part. */
  noiseStd: number;
}

/** Precomputes the gains of a receive chain on a grid. */
export function receiveGains(grid: PolarGrid, rx: ReceiveChain): ReceiveGains {
  const signalRow = new Float32Array(grid.nr), tgcRow = new Float32Array(grid.nr);
  for (let i = 0; i < grid.nr; i++) {
    const z = (i + 0.5) * grid.dr;
    const lossDb = 2 * rx.attenuation * rx.frequencyMHz * z;
    signalRow[i] = Math.pow(10, -lossDb / 20);
    tgcRow[i] = Math.pow(10, (rx.tgc * lossDb) / 20);
  }
  const beamCol = new Float32Array(grid.nt);
  for (let j = 0; j < grid.nt; j++) {
    const u = (-grid.halfAngle + (j + 0.5) * grid.dTheta) / grid.halfAngle;
    beamCol[j] = 1 - rx.edgeFalloff * 0.75 * u ** 4;
  }
  return {
    signalRow,
    tgcRow,
    beamCol,
    noiseStd: (rx.reference * Math.pow(10, rx.noiseDb / 20)) / Math.SQRT2,
  };
}

/**
 * Applies gains and noise to `iq` and writes the envelope (linear, relative to the tissue reference) into
 * `envelope`. Kept separate from log compression so tests can check speckle statistics before compression.
 */
export function detectEnvelope(
  iq: ComplexImage,
  grid: PolarGrid,
  gains: ReceiveGains,
  reference: number,
  rng: Random,
  envelope: Float32Array,
): void {
  const { nr, nt } = grid;
  const ns = gains.noiseStd;
  // Noise deviates come from a fixed table at a random offset per frame: drawing fresh normals for every sample
  // cost ~10 % of the clip time, and a shifted table is just as white.
  const table = noiseTable();
  let q = rng.int(0, NOISE_TABLE_SIZE - 1);
  for (let i = 0; i < nr; i++) {
    const sg = gains.signalRow[i], tg = gains.tgcRow[i] / reference;
    for (let j = 0; j < nt; j++) {
      const k = i * nt + j;
      const g = sg * gains.beamCol[j];
      const re = (iq.re[k] * g + ns * table[q]) * tg;
      const im = (iq.im[k] * g + ns * table[(q + 1) & NOISE_TABLE_MASK]) * tg;
      q = (q + 2) & NOISE_TABLE_MASK;
      envelope[k] = Math.sqrt(re * re + im * im);
    }
  }
}

/** 20·log10(2): dB per octave of envelope. */
const DB_PER_LOG2 = 20 * Math.LOG10E * Math.LN2;

const NOISE_TABLE_SIZE = 1 << 17;
const NOISE_TABLE_MASK = NOISE_TABLE_SIZE - 1;
let sharedNoiseTable: Float32Array | null = null;

function noiseTable(): Float32Array {
  if (!sharedNoiseTable) {
    const rng = Random.from(0x5eed);
    sharedNoiseTable = Float32Array.from({ length: NOISE_TABLE_SIZE }, () => rng.normal());
  }
  return sharedNoiseTable;
}

/**
 * Incoherent side-lobe haze: each sample receives `levelDb` (re. the main lobe) of the mean power of the beams
 * within ±`halfWidth` beams at the same depth. It fills cavities next to bright walls and softens borders, as a
 * real array's side lobes do. `scratch` must be `nt` long.
 */
export function addSidelobeHaze(
  envelope: Float32Array,
  grid: PolarGrid,
  levelDb: number,
  halfWidth: number,
  scratch: Float32Array,
): void {
  const { nr, nt } = grid;
  const level = Math.pow(10, levelDb / 10);
  for (let i = 0; i < nr; i++) {
    const row = i * nt;
    // Running sum of power along the row.
    let sum = 0;
    for (let j = 0; j < Math.min(nt, halfWidth); j++) sum += envelope[row + j] ** 2;
    for (let j = 0; j < nt; j++) {
      const add = j + halfWidth, drop = j - halfWidth - 1;
      if (add < nt) sum += envelope[row + add] ** 2;
      if (drop >= 0) sum -= envelope[row + drop] ** 2;
      const count = Math.min(nt - 1, j + halfWidth) - Math.max(0, j - halfWidth) + 1;
      scratch[j] = Math.max(0, sum) / count;
    }
    for (let j = 0; j < nt; j++) {
      const e = envelope[row + j];
      envelope[row + j] = Math.sqrt(e * e + level * scratch[j]);
    }
  }
}

/** Log-compresses an envelope (relative to the tissue reference) into grey levels 0–255 (float). */
export function logCompress(
  envelope: Float32Array,
  gainDb: number,
  dynamicRangeDb: number,
  out: Float32Array,
): void {
  const floor = gainDb - dynamicRangeDb;
  const scale = 255 / dynamicRangeDb;
  for (let k = 0; k < envelope.length; k++) {
    const db = DB_PER_LOG2 * fastLog2(envelope[k] + 1e-12);
    const v = (db - floor) * scale;
    out[k] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/**
 * Scales fully developed speckle relative to the anatomy's low-frequency image, in place: with L the local
 * geometric mean of the envelope (a box average of log-envelope over ±`radiusR` samples × ±`radiusT` beams, a few
 * speckle grains), the envelope becomes `L · (envelope / L)^strength`. Speckle is multiplicative, so in the log
 * (displayed) domain this multiplies the speckle's grey-level fluctuation about the local mean by `strength`
 * (Rayleigh speckle's 5.6 dB log-std becomes `strength · 5.6` dB) while leaving the echogenicity map — what the
 * anatomy looks like at low resolution — unchanged. 0 removes speckle, 1 leaves the envelope as it is.
 */
export function scaleSpeckle(
  envelope: Float32Array,
  grid: PolarGrid,
  strength: number,
  radiusR: number,
  radiusT: number,
  scratch: { log: Float32Array; mean: Float32Array },
): void {
  if (strength === 1) return;
  const { nr, nt } = grid;
  const { log, mean } = scratch;
  for (let k = 0; k < nr * nt; k++) log[k] = fastLog2(envelope[k] + 1e-12);
  boxAverage(log, nr, nt, radiusR, radiusT, mean);
  for (let k = 0; k < nr * nt; k++) {
    envelope[k] = 2 ** (mean[k] + strength * (log[k] - mean[k]));
  }
}

/** Separable box average of an `nr × nt` image (row-major by depth), edge-normalised; `out` must not alias `img`. */
function boxAverage(
  img: Float32Array,
  nr: number,
  nt: number,
  rr: number,
  rt: number,
  out: Float32Array,
): void {
  const rows = new Float32Array(nr * nt);
  for (let i = 0; i < nr; i++) {
    for (let j = 0; j < nt; j++) {
      let s = 0, n = 0;
      for (let d = Math.max(0, j - rt); d <= Math.min(nt - 1, j + rt); d++, n++) s += img[i * nt + d];
      rows[i * nt + j] = s / n;
    }
  }
  for (let i = 0; i < nr; i++) {
    const lo = Math.max(0, i - rr), hi = Math.min(nr - 1, i + rr);
    for (let j = 0; j < nt; j++) {
      let s = 0;
      for (let d = lo; d <= hi; d++) s += rows[d * nt + j];
      out[i * nt + j] = s / (hi - lo + 1);
    }
  }
}
