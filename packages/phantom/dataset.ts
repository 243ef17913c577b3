/**
 * Split data sets: patients assigned to train/val/test (never shared across splits), each patient a study of
 * several views. `planDataset` lists every clip cheaply (a spec per clip); clips are rendered from specs in this
 * thread (`renderClipSpec`, `generateDatasetSync`) or on worker threads (`generateDataset`, `PhantomWorkerPool`).
 */

import type { ClipOptions, RenderedClip } from "./clip.ts";
import { renderClip } from "./clip.ts";
import type { PatientOptions } from "./patient.ts";
import { deriveSeed, Random } from "@echojepa/core";
import { studyClipSeed, studyPatient } from "./study.ts";
import type { ViewName } from "./views.ts";
import { VIEW_NAMES } from "./views.ts";

/** A data-set split. */
export type Split = "train" | "val" | "test";

/** All splits, in order. */
export const SPLITS: readonly Split[] = ["train", "val", "test"];

/** Options of a split data set. */
export interface DatasetOptions extends Omit<ClipOptions, "view" | "patient"> {
  /** Number of patients (studies). */
  patients: number;
  /** Data-set seed (default 0). */
  seed?: number;
  /** Fractions of patients in train/val/test (default [0.8, 0.1, 0.1], as in the reference's view probe). */
  splitFractions?: readonly [number, number, number];
  /** Views rendered for each patient (default: all of `VIEW_NAMES`). */
  views?: readonly ViewName[];
  /** Clips per view and patient (default 1). */
  clipsPerView?: number;
  /** Patient options shared by all patients (e.g. `{ efDistribution: "uniform" }`). */
  patient?: PatientOptions;
  /** Worker threads for `generateDataset` (default: `navigator.hardwareConcurrency`; 1 renders in this thread). */
  workers?: number;
  /** Called after each rendered clip. */
  onProgress?: (done: number, total: number) => void;
}

/** Everything needed to render one clip of a data set, independent of any other clip. */
export interface ClipSpec {
  split: Split;
  /** Index of the patient in the data set (0 … patients − 1). */
  patientIndex: number;
  /** Seed of the patient's study (see `generateStudy`). */
  studySeed: number;
  patientId: string;
  view: ViewName;
  /** Index of this clip among the patient's clips of this view. */
  clipIndex: number;
}

/** A rendered split data set. */
export interface SplitDataset {
  train: RenderedClip[];
  val: RenderedClip[];
  test: RenderedClip[];
}

/** The split of each patient index: a seeded shuffle, cut at the split fractions. */
export function assignSplits(
  patients: number,
  seed: number,
  fractions: readonly [number, number, number],
): Split[] {
  const total = fractions[0] + fractions[1] + fractions[2];
  if (!(patients >= 1) || !(total > 0) || fractions.some((f) => f < 0)) {
    throw new Error(
      `assignSplits: need patients ≥ 1 and non-negative fractions, got ${patients}, [${fractions}]`,
    );
  }
  const nVal = Math.round((patients * fractions[1]) / total);
  const nTest = Math.round((patients * fractions[2]) / total);
  const order = Array.from({ length: patients }, (_, i) => i);
  const rng = Random.from(deriveSeed(seed, 0x5e1));
  for (let i = patients - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const splits = new Array<Split>(patients).fill("train");
  order.forEach((p, rank) => {
    if (rank < nVal) splits[p] = "val";
    else if (rank < nVal + nTest) splits[p] = "test";
  });
  return splits;
}

/** Lists every clip of a data set (cheap: draws patients, renders nothing). Ordered patient-major. */
export function planDataset(options: DatasetOptions): ClipSpec[] {
  const seed = options.seed ?? 0;
  const splits = assignSplits(options.patients, seed, options.splitFractions ?? [0.8, 0.1, 0.1]);
  const views = options.views ?? VIEW_NAMES;
  const perView = options.clipsPerView ?? 1;
  const specs: ClipSpec[] = [];
  for (let p = 0; p < options.patients; p++) {
    const studySeed = deriveSeed(seed, p, 0x9a7);
    const patientId = studyPatient(studySeed, options.patient).id;
    for (const view of views) {
      for (let c = 0; c < perView; c++) {
        specs.push({ split: splits[p], patientIndex: p, studySeed, patientId, view, clipIndex: c });
      }
    }
  }
  return specs;
}

/** Renders one planned clip (the same bytes on any thread). */
export function renderClipSpec(spec: ClipSpec, options: Omit<ClipOptions, "view"> = {}): RenderedClip {
  const patient = studyPatient(spec.studySeed, options.patient);
  return renderClip(patient, spec.view, studyClipSeed(spec.studySeed, spec.view, spec.clipIndex), options);
}

/** Clip options of a data set (what a worker needs; no callbacks). */
export function clipOptionsOf(options: DatasetOptions): ClipOptions {
  const {
    patients: _p,
    seed: _s,
    splitFractions: _f,
    views: _v,
    clipsPerView: _c,
    workers: _w,
    onProgress: _o,
    ...rest
  } = options;
  return rest;
}

/** Renders a whole split data set in this thread. */
export function generateDatasetSync(options: DatasetOptions): SplitDataset {
  const specs = planDataset(options);
  const clipOptions = clipOptionsOf(options);
  const out: SplitDataset = { train: [], val: [], test: [] };
  specs.forEach((spec, i) => {
    out[spec.split].push(renderClipSpec(spec, clipOptions));
    options.onProgress?.(i + 1, specs.length);
  });
  return out;
}
