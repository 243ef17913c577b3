/**
 * Samples for probing: one labelled (or unlabelled) video per sample, loaded as a grey uint8 clip that holds its
 * `segments` temporal windows one after the other (`[segments·frames, H, W]`), and turned into model inputs with
 * the reference's evaluation transform.
 *
 * Windows follow the reference's `num_segments` partitioning (the video is cut into equal parts, one window of
 * `frames` frames at the frame step per part) but sit at the centre of each part instead of a random place, so
 * cached features and predictions are reproducible.
 *
 * @module
 */

import type { Clip } from "@echojepa/core";
import {
  asVideoError,
  type ClipSettings,
  loadManifest,
  type ManifestEntry,
  openVideo,
  readClipSegments,
} from "@echojepa/video";
import { CliError } from "./cli.ts";

export type { ClipSettings };

/** One sample: where it comes from, its study and label, and how to decode it. */
export interface Sample {
  /** Stable id (the file path, or a phantom clip name); seeds perturbations. */
  id: string;
  /** Study id for per-study averaging. */
  study: string;
  /** Class index or regression target, when known. */
  label?: number;
  /** Decodes the sample as a grey clip `[segments·frames, H, W]`. */
  load: () => Promise<Clip<Uint8Array>>;
}

/** Options of {@link manifestSamples}. */
export interface ManifestSampleOptions {
  /** Keep rows of this split when the manifest names splits (EchoNet's FileList.csv `Split`). */
  split?: string;
  /** Every row must carry a label (training, robustness). */
  requireLabels?: boolean;
  /** FileList.csv column used as the label (default: the manifest's own label, EF for EchoNet). */
  labelColumn?: string;
}

/** Reads a manifest (reference CSV, EchoNet FileList.csv or folder) into samples; see {@link ManifestSampleOptions}. */
export async function manifestSamples(
  path: string,
  settings: ClipSettings,
  options: ManifestSampleOptions = {},
): Promise<Sample[]> {
  let entries: ManifestEntry[];
  try {
    entries = await loadManifest(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new CliError(`manifest ${path} does not exist`);
    throw new CliError(`manifest ${path}: ${(e as Error).message}`);
  }
  if (options.split && entries.some((e) => e.split !== undefined)) {
    const splits = [...new Set(entries.map((e) => e.split))].join(", ");
    entries = entries.filter((e) => e.split === options.split);
    if (entries.length === 0) {
      throw new CliError(`manifest ${path} has no rows of split "${options.split}" (splits: ${splits})`);
    }
  }
  if (entries.length === 0) throw new CliError(`manifest ${path} has no rows`);
  const multi = entries.findIndex((e) => e.paths.length > 1);
  if (multi >= 0) {
    throw new CliError(
      `manifest ${path} row ${multi + 1} has ${entries[multi].paths.length} views; this tool reads ` +
        `single-view manifests (one "<path> <label>" per row)`,
    );
  }
  return entries.map((entry, row) => {
    const file = entry.paths[0]!;
    const label = labelOf(entry, options.labelColumn, path, row);
    if (options.requireLabels && label === undefined) {
      throw new CliError(
        `manifest ${path} row ${row + 1} (${file}) has no label` +
          (options.labelColumn ? ` in column "${options.labelColumn}"` : "") +
          `; a labelled manifest is needed here`,
      );
    }
    return {
      id: file,
      study: entry.group ?? parentFolder(file),
      label,
      load: () => loadFileClip(file, settings),
    };
  });
}

/** The folder a file lies in ("." for a bare name): the study of MIMIC-style trees. */
function parentFolder(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash);
}

function labelOf(
  entry: ManifestEntry,
  column: string | undefined,
  path: string,
  row: number,
): number | undefined {
  if (column === undefined) return entry.label;
  if (!entry.extra) {
    throw new CliError(
      `--label-column ${column}: manifest ${path} has no named columns (only EchoNet-style FileList.csv has)`,
    );
  }
  const value = entry.extra[column];
  if (value === undefined) {
    throw new CliError(
      `--label-column ${column}: manifest ${path} row ${row + 1} has no numeric "${column}" ` +
        `(columns: ${Object.keys(entry.extra).join(", ")})`,
    );
  }
  return value;
}

/** Decodes one file's `segments` windows as one grey clip `[segments·frames, H, W]` (see `readClipSegments`). */
export async function loadFileClip(path: string, s: ClipSettings): Promise<Clip<Uint8Array>> {
  const video = await openVideo(path);
  try {
    return (await readClipSegments(video, s)).clip;
  } catch (e) {
    throw asVideoError(path, e);
  } finally {
    video.close();
  }
}
