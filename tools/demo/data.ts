/**
 * The demo's labelled data: adult phantom patients in all 13 views, split by patient; an EF cohort of adults in the
 * EF views only (as the paper reads LVEF from its own apical data set); and paediatric patients for zero-shot
 * transfer. Generation is seeded and fast, so a resumed run regenerates instead of storing clips.
 */

import type { Clip } from "@echojepa/core";
import { generateDataset, type RenderedClip, VIEW_NAMES, type ViewName } from "@echojepa/phantom";
import { PATIENT_SPLIT } from "../lib/phantom_samples.ts";
import type { DemoPreset } from "./presets.ts";
import type { RunSeeds } from "./seeds.ts";

/** One labelled clip. */
export interface DemoClip {
  /** Stable id (patient, view, clip index) used to seed perturbations. */
  id: string;
  /** Grey frames `[t, h, w]`. */
  clip: Clip;
  view: ViewName;
  viewIndex: number;
  ef: number;
  rvsp: number;
  pediatric: boolean;
  patientId: string;
}

/** One task's clips by split (split by patient). */
export interface DemoSplits {
  train: DemoClip[];
  val: DemoClip[];
  test: DemoClip[];
}

/** Labelled clips by split (the view cohort, every view), the EF task's clips and the paediatric test set. */
export interface DemoData extends DemoSplits {
  /** The EF task's clips: the view cohort's clips in the EF views, then the EF cohort's, by split. */
  ef: DemoSplits;
  pediatric: DemoClip[];
}

/** The views whose clips carry the EF task (apical views show the LV's long axis). */
export const EF_VIEWS: readonly ViewName[] = ["A4C", "A2C"];
/** The two views of the RVSP-like multi-view task: RV size/septum (A4C) and IVC (Subcostal). */
export const RVSP_VIEWS: readonly ViewName[] = ["A4C", "Subcostal"];

function toDemoClip(c: RenderedClip, i: number): DemoClip {
  const l = c.labels;
  return {
    id: `${l.patientId}-${l.view}-${i}`,
    clip: c.frames,
    view: l.view,
    viewIndex: l.viewIndex,
    ef: l.ef,
    rvsp: l.rvsp,
    pediatric: l.pediatric,
    patientId: l.patientId,
  };
}

/** Renders the labelled data of a preset (on worker threads), split by patient with the probe tools' rule. */
export async function buildDemoData(
  p: DemoPreset,
  seeds: Pick<RunSeeds, "adults" | "efAdults" | "pediatric">,
  onProgress?: (done: number, total: number) => void,
): Promise<DemoData> {
  const clipOptions = {
    frames: p.frames,
    height: p.size,
    width: p.size,
    acquisition: { fps: p.fps },
    speckleStrength: p.speckle,
    nuisance: p.nuisance,
  };
  const viewClips = p.patients * VIEW_NAMES.length * p.clipsPerView;
  const efClips = p.efPatients * EF_VIEWS.length * p.clipsPerView;
  const total = viewClips + efClips + p.pediatricPatients * EF_VIEWS.length;
  const adults = await generateDataset({
    ...clipOptions,
    patients: p.patients,
    seed: seeds.adults,
    views: VIEW_NAMES,
    clipsPerView: p.clipsPerView,
    splitFractions: PATIENT_SPLIT,
    patient: { pediatric: false },
    onProgress: (d) => onProgress?.(d, total),
  });
  const cohort = p.efPatients === 0 ? { train: [], val: [], test: [] } : await generateDataset({
    ...clipOptions,
    patients: p.efPatients,
    seed: seeds.efAdults,
    views: EF_VIEWS,
    clipsPerView: p.clipsPerView,
    splitFractions: PATIENT_SPLIT,
    patient: { pediatric: false },
    onProgress: (d) => onProgress?.(viewClips + d, total),
  });
  const kids = await generateDataset({
    ...clipOptions,
    patients: p.pediatricPatients,
    seed: seeds.pediatric,
    views: EF_VIEWS,
    patient: { pediatric: true },
    onProgress: (d) => onProgress?.(viewClips + efClips + d, total),
  });
  const pediatric = [...kids.train, ...kids.val, ...kids.test];
  const train = adults.train.map(toDemoClip),
    val = adults.val.map(toDemoClip),
    test = adults.test.map(toDemoClip);
  const efOf = (views: DemoClip[], extra: RenderedClip[]) => [
    ...views.filter((c) => EF_VIEWS.includes(c.view)),
    ...extra.map(toDemoClip),
  ];
  return {
    train,
    val,
    test,
    ef: { train: efOf(train, cohort.train), val: efOf(val, cohort.val), test: efOf(test, cohort.test) },
    pediatric: pediatric.map(toDemoClip),
  };
}

/**
 * Patients of a split that have `clips` clips in each of `views`, with the indices of those clips view-major
 * (slot s ↔ view s / clips, clip s mod clips), as the multi-view probe expects.
 */
export function studies(
  items: DemoClip[],
  views: readonly ViewName[],
  clips: number,
): { patientId: string; slots: number[] }[] {
  const byPatient = new Map<string, Map<ViewName, number[]>>();
  items.forEach((c, i) => {
    if (!views.includes(c.view)) return;
    const m = byPatient.get(c.patientId) ?? new Map<ViewName, number[]>();
    m.set(c.view, [...(m.get(c.view) ?? []), i]);
    byPatient.set(c.patientId, m);
  });
  return [...byPatient]
    .filter(([, m]) => views.every((v) => (m.get(v)?.length ?? 0) >= clips))
    .map(([patientId, m]) => ({ patientId, slots: views.flatMap((v) => m.get(v)!.slice(0, clips)) }));
}
