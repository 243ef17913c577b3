/**
 * The cardiac cycle and the left-ventricle motion law that keeps the ejection fraction exact.
 *
 * The LV cavity is a half prolate spheroid (long semi-axis L from annulus to apex, radius R), so
 * V = (2/3)·π·R²·L. With the apex fixed, the long axis scales by kL and the radius by kR; choosing
 * kL = (1 − EF)^0.25 and kR = sqrt((1 − EF)/kL) at end-systole gives V_ES/V_ED = kR²·kL = 1 − EF exactly
 * (echo-data.md §4.2). Between ED and ES both factors move linearly with the contraction c ∈ [0, 1], so the volume
 * is monotone in c: the maximum (EDV) is at c = 0 and the minimum (ESV) at c = 1.
 */

/** Where in the beat a moment lies and how contracted the ventricles are. */
export interface CycleState {
  /** Time since the start of the clip's timeline, seconds. */
  timeSec: number;
  /** Fraction of the cardiac cycle since end-diastole, in [0, 1). */
  phase: number;
  /** Ventricular contraction: 0 at end-diastole, 1 at end-systole. */
  contraction: number;
  /** Aortic/pulmonic valve opening in [0, 1] (open during ejection). */
  outflowOpen: number;
  /** Mitral/tricuspid valve opening in [0, 1] (open during filling, with an early and an atrial wave). */
  inflowOpen: number;
  /** Respiratory phase in [0, 1). */
  respPhase: number;
}

/** Timing of one heart: rate, systolic fraction, and respiration. */
export interface CycleTiming {
  /** Heart rate, beats per minute. */
  heartRate: number;
  /** Fraction of the cycle spent in systole (ED → ES), typically 0.30–0.45. */
  systoleFraction: number;
  /** Respiratory rate, breaths per minute. */
  respRate: number;
  /** Cycle phase at time 0 (so clips start anywhere in the beat). */
  phaseAtZero: number;
  /** Respiratory phase at time 0. */
  respPhaseAtZero: number;
}

/** Contraction c ∈ [0, 1] at a cycle phase: raised-cosine systole, then faster early filling in diastole. */
export function contractionAtPhase(phase: number, systoleFraction: number): number {
  const p = phase - Math.floor(phase);
  if (p < systoleFraction) return 0.5 - 0.5 * Math.cos((Math.PI * p) / systoleFraction);
  // Diastole: warp time so most of the filling happens early (rapid filling, then diastasis).
  const u = Math.pow((p - systoleFraction) / (1 - systoleFraction), 0.6);
  return 0.5 + 0.5 * Math.cos(Math.PI * u);
}

/** The full cycle state at a time. */
export function cycleStateAt(timing: CycleTiming, timeSec: number): CycleState {
  const beats = timing.phaseAtZero + (timeSec * timing.heartRate) / 60;
  const phase = beats - Math.floor(beats);
  const sf = timing.systoleFraction;
  const contraction = contractionAtPhase(phase, sf);
  // Ejection runs from ~10 % to ~95 % of systole (isovolumic contraction first).
  const ej = (phase / sf - 0.1) / 0.85;
  const outflowOpen = phase < sf && ej > 0 && ej < 1 ? Math.sin(Math.PI * ej) ** 0.5 : 0;
  let inflowOpen = 0;
  if (phase >= sf) {
    const d = (phase - sf) / (1 - sf);
    const early = Math.exp(-(((d - 0.18) / 0.12) ** 2));
    const atrial = 0.7 * Math.exp(-(((d - 0.85) / 0.08) ** 2));
    inflowOpen = Math.min(1, early + atrial + 0.25 * (d > 0.05 && d < 0.95 ? 1 : 0));
  }
  const resp = timing.respPhaseAtZero + (timeSec * timing.respRate) / 60;
  return { timeSec, phase, contraction, outflowOpen, inflowOpen, respPhase: resp - Math.floor(resp) };
}

/** End-systolic long-axis and radial scale factors of the LV for an ejection fraction in (0, 1). */
export function lvEndSystolicFactors(ef: number): { kL: number; kR: number } {
  if (!(ef > 0 && ef < 1)) throw new Error(`phantom: ejection fraction must be in (0, 1), got ${ef}`);
  const kL = Math.pow(1 - ef, 0.25);
  const kR = Math.sqrt((1 - ef) / kL);
  return { kL, kR };
}

/** LV long-axis and radial factors at a contraction c (linear between ED = 1 and the ES factors). */
export function lvFactorsAt(ef: number, contraction: number): { kL: number; kR: number } {
  const es = lvEndSystolicFactors(ef);
  return { kL: 1 - contraction * (1 - es.kL), kR: 1 - contraction * (1 - es.kR) };
}

/** Volume of a half prolate spheroid cavity, mL (lengths in cm). */
export function halfSpheroidVolumeMl(lengthCm: number, radiusCm: number): number {
  return (2 / 3) * Math.PI * radiusCm * radiusCm * lengthCm;
}

/** LV cavity volume (mL) at a contraction, for an ED length/radius and an EF. */
export function lvVolumeAt(lengthCm: number, radiusCm: number, ef: number, contraction: number): number {
  const { kL, kR } = lvFactorsAt(ef, contraction);
  return halfSpheroidVolumeMl(lengthCm * kL, radiusCm * kR);
}
