/**
 * Samples from the built-in phantom, so the probe tools run without any data: N synthetic patients split by
 * patient ({@link PATIENT_SPLIT}: 70 / 15 / 15 %, the demo's split too), each rendered in every view (view classification, 13 classes) or in A4C only (ejection
 * fraction regression), with `segments·frames` frames at the phantom's own frame rate; the study id is the patient.
 *
 * Labels come from the data-set plan (no rendering); a clip is rendered only when it is loaded (on worker threads
 * when several are loaded at once), so a run whose features are cached renders nothing.
 *
 * @module
 */

import {
  type ClipSpec,
  PhantomWorkerPool,
  planDataset,
  renderClipSpec,
  type RenderedClip,
  studyLabels,
  studyPatient,
  VIEW_NAMES,
  viewIndex,
  type ViewName,
} from "@echojepa/phantom";
import { CliError } from "./cli.ts";
import type { ClipSettings, Sample } from "./samples.ts";

/**
 * The one split rule of phantom patients for probing (train / val / test shares, by patient), used by the probe
 * tools and the demo alike.
 */
export const PATIENT_SPLIT: readonly [number, number, number] = [0.7, 0.15, 0.15];

/** What the phantom's samples are labelled with. */
export type PhantomTask = "view" | "ef";

/** Phantom samples of each split, and a way to stop the rendering threads. */
export interface PhantomSplits {
  /** Training samples. */
  train: Sample[];
  /** Validation samples. */
  val: Sample[];
  /** Test samples. */
  test: Sample[];
  /** Stops the rendering workers (if any were started); loading afterwards renders on this thread. */
  close(): void;
}

/** Options of {@link phantomSamples}. */
export interface PhantomSampleOptions {
  /** Data-set seed (default 0). */
  seed?: number;
  /** Side of the rendered frames (default 112, EchoNet's). */
  size?: number;
  /** Rendering threads (default: one per core; 1 renders on this thread). */
  workers?: number;
}

/** Plans `patients` phantom patients and returns their samples per split (rendered on load). */
export function phantomSamples(
  patients: number,
  task: PhantomTask,
  settings: ClipSettings,
  options: PhantomSampleOptions = {},
): PhantomSplits {
  if (!(Number.isInteger(patients) && patients >= 5)) {
    throw new CliError(
      `--phantom: need at least 5 patients (train, val and test each get some), got ${patients}`,
    );
  }
  const views: readonly ViewName[] = task === "view" ? VIEW_NAMES : ["A4C"];
  const size = options.size ?? 112;
  const clipOptions = { frames: settings.segments * settings.frames, height: size, width: size };
  const specs = planDataset({ patients, seed: options.seed ?? 0, splitFractions: PATIENT_SPLIT, views });
  const workers = options.workers ?? navigator.hardwareConcurrency ?? 2;
  let pool: PhantomWorkerPool | null = null;
  let closed = false;
  const render = async (spec: ClipSpec): Promise<RenderedClip> => {
    if (workers <= 1 || closed) return renderClipSpec(spec, clipOptions);
    pool ??= new PhantomWorkerPool(workers);
    return await pool.renderSpec(spec, clipOptions);
  };
  const efOf = new Map<number, number>();
  const sample = (spec: ClipSpec): Sample => {
    if (!efOf.has(spec.studySeed)) efOf.set(spec.studySeed, studyLabels(studyPatient(spec.studySeed)).ef);
    return {
      id: `phantom/${spec.patientId}_${spec.view}_${spec.clipIndex}`,
      study: spec.patientId,
      label: task === "view" ? viewIndex(spec.view) : efOf.get(spec.studySeed)!,
      load: async () => {
        const clip = await render(spec);
        return clip.frames;
      },
    };
  };
  const of = (split: ClipSpec["split"]): Sample[] => specs.filter((s) => s.split === split).map(sample);
  return {
    train: of("train"),
    val: of("val"),
    test: of("test"),
    close: () => {
      closed = true;
      (pool as PhantomWorkerPool | null)?.close();
    },
  };
}

/** Class names of the phantom's view task, in class-index order. */
export const PHANTOM_VIEW_NAMES: readonly string[] = VIEW_NAMES;
