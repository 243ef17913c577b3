/**
 * Acquisition settings (the nuisance variables a learned representation must see through) and how they are drawn.
 *
 * Documented ranges for `nuisance: "full"` (the default):
 *
 * | setting | range |
 * |---|---|
 * | depth | the view's nominal depth × U(0.9, 1.12) (adult ≈ 12–20 cm, paediatric ≈ 6–12 cm) |
 * | sector angle | U(60°, 90°) |
 * | centre frequency | adult U(1.8, 3.6) MHz, paediatric U(3.5, 6) MHz (higher → finer speckle) |
 * | dynamic range | U(40, 65) dB |
 * | gain (white level re. unit-echo tissue) | DR × (1 − q), q ~ U(0.4, 0.7) = grey level of unit-echo tissue |
 * | TGC compensation of attenuation | U(0.5, 0.9) |
 * | electronic noise | U(−92, −72) dB re. unit-echo tissue before TGC |
 * | frame rate | U(20, 90) fps |
 * | probe rotation / translation | ±10°, ±6 % of depth lateral, ±4 % of depth axial |
 * | zoom of the square crop | U(0.92, 1.1) |
 * | on-screen UI (text, ECG, depth scale) | 50 % of clips |
 * | sector-edge fall-off, clutter strength, respiratory drift | U(0.3, 1), U(0.3, 1.5), up to 0.4 cm |
 * | persistence (temporal averaging), display smoothing | U(0, 0.4), U(0.3, 1) |
 * | side-lobe haze level | U(−34, −22) dB |
 *
 * `nuisance: "clinical"` narrows the operator-set and probe-placement settings to the spread one department's
 * studies show under its standard presets (see the README's "Nuisance levels"): dynamic range U(50, 60) dB, tissue
 * grey level U(0.5, 0.62), TGC U(0.65, 0.85), depth × U(0.95, 1.06), sector U(70°, 85°), frame rate U(40, 60) fps,
 * rotation ±5°, shifts ±3 % / ±2 % of depth, zoom U(0.97, 1.04), persistence U(0.1, 0.3), smoothing U(0.5, 0.8).
 * Patient-side settings (frequency, noise, clutter, side lobes, edge fall-off, respiration, UI) keep the "full"
 * ranges: they follow the patient and the machine, not the operator's preset.
 *
 * `nuisance: "none"` fixes every setting at a typical value (sector 75°, 2.5 MHz adult / 4.5 MHz paediatric,
 * gain 25 dB, DR 55 dB, TGC 0.75, noise −82 dB, 50 fps, no rotation/translation, zoom 1, no UI,
 * persistence 0.2, smoothing 0.6, side lobes −28 dB).
 */

import type { Random } from "@echojepa/core";

/**
 * How much acquisition variation to apply: "full" (the widest plausible spread), "clinical" (the spread of a
 * department's studies under standard presets), or "none" (typical values).
 */
export type NuisanceLevel = "full" | "clinical" | "none";
/** Every {@link NuisanceLevel}, widest spread first. */
export const NUISANCE_LEVELS: readonly NuisanceLevel[] = ["full", "clinical", "none"];

/** One clip's acquisition settings. */
export interface Acquisition {
  /** Imaging depth, cm. */
  depth: number;
  /** Full sector opening angle, degrees. */
  sectorDeg: number;
  /** Centre frequency, MHz. */
  frequencyMHz: number;
  /** White level above the mean myocardial echo, dB: higher means a darker picture. */
  gainDb: number;
  /** Displayed dynamic range, dB. */
  dynamicRangeDb: number;
  /** Fraction of the depth attenuation undone by time-gain compensation. */
  tgc: number;
  /** Electronic noise level relative to myocardium, dB (added before TGC, so it grows with depth). */
  noiseDb: number;
  /** Frames per second. */
  fps: number;
  /** Rotation of the anatomy under the probe, degrees. */
  rotationDeg: number;
  /** Lateral and axial shift of the anatomy, cm. */
  shiftX: number;
  shiftZ: number;
  /** Zoom of the square crop (1 = the crop's side equals the depth). */
  zoom: number;
  /** Draw on-screen UI (text, ECG trace, depth scale) outside the sector. */
  ui: boolean;
  /** Sector-edge fall-off strength (element directivity), 0–1. */
  edgeFalloff: number;
  /** Side-lobe level re. the main lobe, dB (haze next to bright structures). */
  sidelobeDb: number;
  /** Frame persistence (temporal IIR weight of the previous frame), 0–1. */
  persistence: number;
  /** Display speckle smoothing (blend toward a 3×3 binomial blur), 0–1. */
  smoothing: number;
  /** Near-field clutter strength multiplier. */
  clutter: number;
  /** Peak respiratory drift of the heart, cm (x, z). */
  respX: number;
  respZ: number;
}

/** Sane bounds of each numeric setting (overrides outside them are rejected with the setting's name). */
const BOUNDS: Record<Exclude<keyof Acquisition, "ui">, [number, number]> = {
  depth: [2, 40],
  sectorDeg: [10, 170],
  frequencyMHz: [0.5, 20],
  gainDb: [-60, 120],
  dynamicRangeDb: [10, 120],
  tgc: [0, 1.5],
  noiseDb: [-300, 20],
  fps: [1, 1000],
  rotationDeg: [-180, 180],
  shiftX: [-40, 40],
  shiftZ: [-40, 40],
  zoom: [0.2, 5],
  edgeFalloff: [0, 1],
  clutter: [0, 10],
  respX: [-5, 5],
  respZ: [-5, 5],
  sidelobeDb: [-200, 0],
  persistence: [0, 0.95],
  smoothing: [0, 1],
};

/** Throws an error naming the first setting that is not a finite number within its bounds. */
export function validateAcquisition(acq: Acquisition): void {
  for (const [key, [lo, hi]] of Object.entries(BOUNDS)) {
    const v = acq[key as keyof typeof BOUNDS];
    if (!(typeof v === "number" && Number.isFinite(v) && v >= lo && v <= hi)) {
      throw new Error(`acquisition: ${key} must be a number in [${lo}, ${hi}], got ${v}`);
    }
  }
  if (typeof acq.ui !== "boolean") throw new Error(`acquisition: ui must be a boolean, got ${acq.ui}`);
}

/** Draws acquisition settings for a view whose template suggests `nominalDepth` cm. */
export function sampleAcquisition(
  rng: Random,
  nominalDepth: number,
  pediatric: boolean,
  level: NuisanceLevel,
): Acquisition {
  if (level === "none") {
    return {
      depth: nominalDepth,
      sectorDeg: 75,
      frequencyMHz: pediatric ? 4.5 : 2.5,
      gainDb: 25,
      dynamicRangeDb: 55,
      tgc: 0.75,
      noiseDb: -82,
      fps: 50,
      rotationDeg: 0,
      shiftX: 0,
      shiftZ: 0,
      zoom: 1,
      ui: false,
      edgeFalloff: 0.6,
      sidelobeDb: -28,
      persistence: 0.2,
      smoothing: 0.6,
      clutter: 1,
      respX: 0,
      respZ: 0,
    };
  }
  // One draw order for "full" and "clinical" (so the patient-side settings match between them); only the operator
  // and placement ranges narrow.
  const clinical = level === "clinical";
  const depth = nominalDepth * (clinical ? rng.uniform(0.95, 1.06) : rng.uniform(0.9, 1.12));
  const respAngle = rng.uniform(0, 2 * Math.PI), respAmp = rng.uniform(0, 0.4);
  // Sonographers set gain so that tissue sits in the upper-middle of the grey scale: draw the grey level of
  // unit-echo tissue (fraction q of white) and the dynamic range, and derive the white level from them.
  const dynamicRangeDb = clinical ? rng.uniform(50, 60) : rng.uniform(40, 65);
  const tissueGrey = clinical ? rng.uniform(0.5, 0.62) : rng.uniform(0.4, 0.7);
  const spread = clinical ? 0.5 : 1;
  return {
    depth,
    sectorDeg: clinical ? rng.uniform(70, 85) : rng.uniform(60, 90),
    frequencyMHz: pediatric ? rng.uniform(3.5, 6) : rng.uniform(1.8, 3.6),
    gainDb: dynamicRangeDb * (1 - tissueGrey),
    dynamicRangeDb,
    tgc: clinical ? rng.uniform(0.65, 0.85) : rng.uniform(0.5, 0.9),
    noiseDb: rng.uniform(-92, -72),
    fps: clinical ? rng.uniform(40, 60) : rng.uniform(20, 90),
    rotationDeg: spread * rng.uniform(-10, 10),
    shiftX: spread * rng.uniform(-0.06, 0.06) * depth,
    shiftZ: spread * rng.uniform(-0.04, 0.04) * depth,
    zoom: clinical ? rng.uniform(0.97, 1.04) : rng.uniform(0.92, 1.1),
    ui: rng.chance(0.5),
    edgeFalloff: rng.uniform(0.3, 1),
    sidelobeDb: rng.uniform(-34, -22),
    persistence: clinical ? rng.uniform(0.1, 0.3) : rng.uniform(0, 0.4),
    smoothing: clinical ? rng.uniform(0.5, 0.8) : rng.uniform(0.3, 1),
    clutter: rng.uniform(0.3, 1.5),
    respX: respAmp * Math.cos(respAngle),
    respZ: respAmp * Math.sin(respAngle),
  };
}
