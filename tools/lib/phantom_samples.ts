/**
 * Samples from the built-in phantom, so the probe tools run without any data: N synthetic patients split by
 * patient (60 / 20 / 20 %), each rendered in every view (view classification, 13 classes) or in A4C only (ejection
 * fraction regression). Clips are rendered once, in memory, with `segments·frames` frames at the phantom's own
 * frame rate; the study id is the patient.
 *
 * @module
 */

import { generateDataset, VIEW_NAMES, type ViewName } from "@echojepa/phantom";
import { CliError } from "./cli.ts";
import type { ClipSettings, Sample } from "./samples.ts";

/** What the phantom's samples are labelled with. */
export type PhantomTask = "view" | "ef";

/** Phantom samples of each split. */
export type PhantomSplits = Record<"train" | "val" | "test", Sample[]>;

/** Options of {@link phantomSamples}. */
export interface PhantomSampleOptions {
  /** Data-set seed (default 0). */
  seed?: number;
  /** Side of the rendered frames (default 112, EchoNet's). */
  size?: number;
  /** Rendering threads (default: one per core; 1 renders on this thread). */
  workers?: number;
  /** Called after each rendered clip. */
  onProgress?: (done: number, total: number) => void;
}

/** Renders `patients` phantom patients and returns their samples per split. */
export async function phantomSamples(
  patients: number,
  task: PhantomTask,
  settings: ClipSettings,
  options: PhantomSampleOptions = {},
): Promise<PhantomSplits> {
  if (!(Number.isInteger(patients) && patients >= 5)) {
    throw new CliError(
      `--phantom: need at least 5 patients (train, val and test each get some), got ${patients}`,
    );
  }
  const views: readonly ViewName[] = task === "view" ? VIEW_NAMES : ["A4C"];
  const size = options.size ?? 112;
  const data = await generateDataset({
    patients,
    seed: options.seed ?? 0,
    splitFractions: [0.6, 0.2, 0.2],
    views,
    frames: settings.segments * settings.frames,
    height: size,
    width: size,
    workers: options.workers,
    onProgress: options.onProgress,
  });
  const toSamples = (clips: typeof data.train): Sample[] =>
    clips.map((clip, i) => ({
      id: `phantom/${clip.labels.patientId}_${clip.labels.view}_${i}`,
      study: clip.labels.patientId,
      label: task === "view" ? clip.labels.viewIndex : clip.labels.ef,
      load: () => Promise.resolve({ data: clip.frames, shape: [clip.t, clip.h, clip.w] as const }),
    }));
  return { train: toSamples(data.train), val: toSamples(data.val), test: toSamples(data.test) };
}

/** Class names of the phantom's view task, in class-index order. */
export const PHANTOM_VIEW_NAMES: readonly string[] = VIEW_NAMES;
