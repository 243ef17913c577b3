/**
 * Approximate maths for hot loops: a table cosine (0.0015 rad resolution is plenty for speckle phasors and
 * texture) and a bit-level log2 (≈ 0.001 dB error, far below one grey level).
 */

/** Table size (a power of two). */
export const PHASE_STEPS = 4096;
/** Table steps per radian. */
export const PHASE_STEPS_PER_RAD: number = PHASE_STEPS / (2 * Math.PI);
/** cos(2π·i / PHASE_STEPS). */
export const COS_TABLE: Float32Array = Float32Array.from(
  { length: PHASE_STEPS },
  (_, i) => Math.cos((2 * Math.PI * i) / PHASE_STEPS),
);

/** cos(x) from the table (any finite x with |x| < 2^31 / PHASE_STEPS_PER_RAD). */
export function fastCos(x: number): number {
  return COS_TABLE[(x * PHASE_STEPS_PER_RAD) & (PHASE_STEPS - 1)];
}

/** sin(x) from the table. */
export function fastSin(x: number): number {
  return COS_TABLE[((x * PHASE_STEPS_PER_RAD) - PHASE_STEPS / 4) & (PHASE_STEPS - 1)];
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** log2(x) for x > 0 from the float's exponent plus a quartic fit of the mantissa (|error| < 2.1e-4). */
export function fastLog2(x: number): number {
  F32[0] = x;
  const bits = I32[0];
  const exponent = ((bits >> 23) & 0xff) - 127;
  I32[0] = (bits & 0x007fffff) | 0x3f800000; // mantissa m in [1, 2)
  const m = F32[0];
  // Quartic least-squares fit of log2 on [1, 2] (max error 2e-4).
  return exponent + (-2.49684606 + (4.02854794 + (-2.08121416 + (0.62887362 - 0.07915816 * m) * m) * m) * m);
}

/** Length of a 2-D vector (Math.hypot is several times slower in V8's hot loops). */
export function len2d(a: number, b: number): number {
  return Math.sqrt(a * a + b * b);
}
