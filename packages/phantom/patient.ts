/**
 * Simulated patients: one heart, its cycle, and the study-level haemodynamics that several views share.
 *
 * The RVSP-like target follows the clinical recipe RVSP = 4·v² + RAP, and is built so it needs two views:
 * the tricuspid-regurgitation velocity v (pressure load) shows only as right-ventricle size and septal flattening in
 * A4C/PSAX, while the right-atrial pressure RAP shows only as IVC diameter and its respiratory collapse in the
 * Subcostal view. v and RAP are drawn independently with about equal variance contributions, so each view alone
 * explains roughly half of the target's variance in a linear model and both together explain all of it.
 */

import { halfSpheroidVolumeMl, lvEndSystolicFactors } from "./cardiac_cycle.ts";
import { deriveSeed, Random } from "@echojepa/core";

/** How ejection fractions are drawn for simulated patients. */
export type EfDistribution = "clinical" | "uniform";

/** Options for {@linkcode samplePatient}. */
export interface PatientOptions {
  /** Force a paediatric (true) or adult (false) patient; by default 15 % are paediatric. */
  pediatric?: boolean;
  /** Probability of a paediatric patient when `pediatric` is not set (default 0.15). */
  pediatricFraction?: number;
  /**
   * "clinical" (default): EF ~ N(55.8 %, 12.4 %) clipped to [10, 85] % (EchoNet-Dynamic's distribution);
   * "uniform": EF ~ U(10, 90) % for training diversity (as EchoNet-Synthetic samples).
   */
  efDistribution?: EfDistribution;
  /** Force an exact ejection fraction (fraction in (0, 1)). */
  ef?: number;
}

/** One simulated patient. Lengths in cm, volumes in mL, pressures in mmHg. */
export interface Patient {
  /** Stable identifier derived from the seed, e.g. "P00A1B2C3". */
  id: string;
  /** The seed this patient was drawn from. */
  seed: number;
  /** Paediatric hearts are smaller and faster. */
  pediatric: boolean;
  /** Linear size of the heart relative to a reference adult heart (adult 0.9–1.15, paediatric 0.45–0.8). */
  heartScale: number;
  /** Heart rate, beats per minute (adult 55–105, paediatric 80–150). */
  heartRate: number;
  /** Fraction of the cardiac cycle in systole. */
  systoleFraction: number;
  /** Respiratory rate, breaths per minute. */
  respRate: number;
  /** LV ejection fraction as a fraction in (0, 1). */
  ef: number;
  /** LV end-diastolic long axis (annulus to apex), cm. */
  lvLength: number;
  /** LV end-diastolic cavity radius, cm. */
  lvRadius: number;
  /** LV end-diastolic volume, mL (exact for the half-spheroid model). */
  edv: number;
  /** LV end-systolic volume, mL. */
  esv: number;
  /** LV wall thickness at end-diastole, cm. */
  lvWall: number;
  /** RV size relative to normal: 1 + 0.45 × pressure load (seen in A4C and PSAX). */
  rvScale: number;
  /** Septal flattening in [0, 0.5]: how much the LV short axis is squashed toward a "D" shape in PSAX. */
  septalFlattening: number;
  /** Peak tricuspid-regurgitation velocity, m/s (the pressure-load part of RVSP). */
  trVelocity: number;
  /** Right-atrial pressure, mmHg (the volume-status part of RVSP). */
  rap: number;
  /** RVSP-like target = 4·trVelocity² + rap, mmHg. */
  rvsp: number;
  /** Maximal IVC diameter, cm (grows with RAP). */
  ivcDiameter: number;
  /** Fractional respiratory collapse of the IVC (falls with RAP). */
  ivcCollapse: number;
  /** Soft-tissue attenuation of this patient's body, dB/cm/MHz (body habitus). */
  attenuation: number;
  /** Seed of the patient's tissue texture (myocardial heterogeneity, scatterer field). */
  textureSeed: number;
}

/** Draws one patient deterministically from a seed. */
export function samplePatient(seed: number, options: PatientOptions = {}): Patient {
  const rng = Random.from(deriveSeed(seed, 0x9a71e47));
  const pediatric = options.pediatric ?? rng.chance(options.pediatricFraction ?? 0.15);
  const heartScale = pediatric ? rng.uniform(0.45, 0.8) : rng.uniform(0.9, 1.15);
  const heartRate = pediatric ? rng.uniform(80, 150) : rng.uniform(55, 105);
  const systoleFraction = Math.min(0.47, 0.26 + 0.0013 * heartRate + rng.uniform(-0.02, 0.02));
  const respRate = pediatric ? rng.uniform(18, 35) : rng.uniform(10, 20);

  let ef: number;
  if (options.ef !== undefined) {
    if (!(options.ef > 0.02 && options.ef < 0.95)) {
      throw new Error(`samplePatient: ef must be a fraction in (0.02, 0.95), got ${options.ef}`);
    }
    ef = options.ef;
  } else if ((options.efDistribution ?? "clinical") === "uniform") {
    ef = rng.uniform(0.1, 0.9);
  } else {
    ef = Math.min(0.85, Math.max(0.1, 0.558 + 0.124 * rng.normal()));
  }
  // Dilated ventricles go with low EF: grow the ED volume as EF falls.
  const lvLength = heartScale * rng.uniform(7.4, 8.8) * (1 + 0.12 * Math.max(0, 0.5 - ef));
  const edvTarget = heartScale ** 3 * rng.uniform(80, 135) * (1 + 0.9 * Math.max(0, 0.5 - ef));
  const lvRadius = Math.sqrt((3 * edvTarget) / (2 * Math.PI * lvLength));
  const edv = halfSpheroidVolumeMl(lvLength, lvRadius);
  const { kL, kR } = lvEndSystolicFactors(ef);
  const esv = halfSpheroidVolumeMl(lvLength * kL, lvRadius * kR);

  const pressureLoad = rng.next(); // 0..1, drives TR velocity
  const volumeLoad = rng.next(); // 0..1, drives RAP
  const trVelocity = 1.8 + 1.4 * pressureLoad;
  const rap = 3 + 27 * volumeLoad;
  const rvsp = 4 * trVelocity * trVelocity + rap;

  return {
    id: `P${deriveSeed(seed, 17).toString(16).toUpperCase().padStart(8, "0")}`,
    seed,
    pediatric,
    heartScale,
    heartRate,
    systoleFraction,
    respRate,
    ef,
    lvLength,
    lvRadius,
    edv,
    esv,
    lvWall: heartScale * rng.uniform(0.8, 1.2),
    rvScale: 1 + 0.45 * pressureLoad,
    septalFlattening: 0.4 * pressureLoad,
    trVelocity,
    rap,
    rvsp,
    ivcDiameter: heartScale * (1.1 + 1.2 * volumeLoad),
    ivcCollapse: 0.65 - 0.55 * volumeLoad,
    attenuation: rng.uniform(0.35, 0.75),
    textureSeed: rng.uint32(),
  };
}
