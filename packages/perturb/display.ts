/**
 * The display model the physical perturbations use. B-mode grey levels are log-compressed echo amplitudes: level g
 * on a 0…M scale shows 20·log10(envelope) = (g/M − 1)·DR dB, with DR the displayed dynamic range. Physical
 * effects (attenuation, gain, haze, speckle) act on the envelope or in dB, so frames are mapped to the envelope,
 * changed there, and log-compressed back, which is why a −6 dB gain darkens every tissue pixel by the same
 * number of grey levels instead of scaling them.
 *
 * @module
 */

/** Assumed displayed dynamic range, dB, when none is given (typical echo presets show 50–60 dB). */
export const DEFAULT_DYNAMIC_RANGE_DB = 60;

/** Grey level (0…maxValue) to dB relative to white (−DR…0). */
export function greyToDb(grey: number, maxValue: number, dynamicRangeDb: number): number {
  return (grey / maxValue - 1) * dynamicRangeDb;
}

/** dB relative to white back to a grey level, clipped to 0…maxValue (unrounded). */
export function dbToGrey(db: number, maxValue: number, dynamicRangeDb: number): number {
  const g = maxValue * (1 + db / dynamicRangeDb);
  return g < 0 ? 0 : g > maxValue ? maxValue : g;
}

/** Grey level to linear envelope amplitude (1 at white). */
export function greyToEnvelope(grey: number, maxValue: number, dynamicRangeDb: number): number {
  return 10 ** (greyToDb(grey, maxValue, dynamicRangeDb) / 20);
}

/** Linear envelope amplitude back to a clipped grey level; zero or negative amplitude is black. */
export function envelopeToGrey(envelope: number, maxValue: number, dynamicRangeDb: number): number {
  if (!(envelope > 0)) return 0;
  return dbToGrey(20 * Math.log10(envelope), maxValue, dynamicRangeDb);
}
