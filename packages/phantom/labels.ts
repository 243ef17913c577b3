/**
 * Label types of clips and studies.
 */

import type { ViewName } from "./views.ts";

/**
 * Labels of one clip. Volumes in mL, EF in percent (as in EchoNet-Dynamic's FileList.csv). EF, volumes, heart
 * rate and RVSP are properties of the patient, so every clip carries them, even views in which the LV is not
 * visible (SSN, Subcostal, PSAX-AV, Exclude); filter by view for view-specific tasks.
 */
export interface ClipLabels {
  /** View class name. */
  view: ViewName;
  /** View class index into `VIEW_NAMES`. */
  viewIndex: number;
  /** LV ejection fraction, percent (0–100), exact for the simulated heart. */
  ef: number;
  /** LV end-diastolic volume, mL. */
  edv: number;
  /** LV end-systolic volume, mL. */
  esv: number;
  /** Heart rate, beats per minute. */
  heartRate: number;
  /** RVSP-like study target, mmHg (needs A4C and Subcostal together; see `Patient`). */
  rvsp: number;
  /** Paediatric patient. */
  pediatric: boolean;
  /** Identifier of the simulated patient (the split unit). */
  patientId: string;
}

/** Labels of one study (one patient). */
export interface StudyLabels {
  patientId: string;
  ef: number;
  edv: number;
  esv: number;
  heartRate: number;
  rvsp: number;
  pediatric: boolean;
}
