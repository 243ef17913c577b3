/**
 * Studies: one simulated patient seen in several views, with study-level labels.
 */

import type { ClipOptions, RenderedClip } from "./clip.ts";
import { renderClip } from "./clip.ts";
import type { StudyLabels } from "./labels.ts";
import type { Patient, PatientOptions } from "./patient.ts";
import { samplePatient } from "./patient.ts";
import { deriveSeed } from "@echojepa/core";
import type { ViewName } from "./views.ts";
import { VIEW_NAMES, viewIndex } from "./views.ts";

/** Options of {@linkcode generateStudy}: clip options plus which views, how many clips each. */
export interface StudyOptions extends Omit<ClipOptions, "view"> {
  /** Views to render (default: all of `VIEW_NAMES`). */
  views?: readonly ViewName[];
  /** Clips per view (default 1); each has its own acquisition and start phase. */
  clipsPerView?: number;
  /** Patient options (paediatric flag, EF distribution or an exact EF). */
  patient?: PatientOptions;
}

/** One simulated study. */
export interface Study {
  patient: Patient;
  labels: StudyLabels;
  /** Clips ordered view-major (all clips of views[0], then views[1], …). */
  clips: RenderedClip[];
}

/** The patient of a study seed (the same patient `generateStudy(seed)` renders). */
export function studyPatient(seed: number, options: PatientOptions = {}): Patient {
  return samplePatient(deriveSeed(seed, 0x57d7), options);
}

/** The seed of one clip of a study (stable: adding views or clips never changes other clips). */
export function studyClipSeed(studySeed: number, view: ViewName, clipIndex: number): number {
  return deriveSeed(studySeed, viewIndex(view), clipIndex, 0xc1);
}

/** Study-level labels of a patient. */
export function studyLabels(p: Patient): StudyLabels {
  return {
    patientId: p.id,
    ef: p.ef * 100,
    edv: p.edv,
    esv: p.esv,
    heartRate: p.heartRate,
    rvsp: p.rvsp,
    pediatric: p.pediatric,
  };
}

/** Generates a whole study deterministically from one seed. */
export function generateStudy(seed: number, options: StudyOptions = {}): Study {
  const patient = studyPatient(seed, options.patient);
  const views = options.views ?? VIEW_NAMES;
  const perView = options.clipsPerView ?? 1;
  const clips: RenderedClip[] = [];
  for (const view of views) {
    for (let c = 0; c < perView; c++) {
      clips.push(renderClip(patient, view, studyClipSeed(seed, view, c), options));
    }
  }
  return { patient, labels: studyLabels(patient), clips };
}
