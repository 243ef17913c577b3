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

import { type ClipArray, evalTransform } from "@echojepa/augment";
import {
  asVideoError,
  clipFromVideo,
  frameStepForFps,
  loadManifest,
  type ManifestEntry,
  openVideo,
} from "@echojepa/video";
import { CliError } from "./cli.ts";

/** How clips are cut from a video and fed to the encoder. */
export interface ClipSettings {
  /** Frames per clip (a multiple of the encoder's tubelet size). */
  frames: number;
  /** Target clip rate: frame step = ⌊⌈fps of file⌉ / fps⌋ (reference semantics); null: use `frameStep`. */
  fps: number | null;
  /** Raw frames between sampled frames when `fps` is null. */
  frameStep: number;
  /** Temporal windows per video; their tokens are concatenated (reference `num_segments`). */
  segments: number;
  /** Square model input side in pixels (short side resized to ⌊res·256/224⌋, centre crop). */
  resolution: number;
  /** Mask the ultrasound sector and crop a square around it before the transform (off for pre-cropped files). */
  sector: boolean;
}

/** One sample: where it comes from, its study and label, and how to decode it. */
export interface Sample {
  /** Stable id (the file path, or a phantom clip name); seeds perturbations. */
  id: string;
  /** Study id for per-study averaging. */
  study: string;
  /** Class index or regression target, when known. */
  label?: number;
  /** Decodes the sample as a grey clip `[segments·frames, H, W]`. */
  load: () => Promise<ClipArray<Uint8Array>>;
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

/** Decodes one file's `segments` windows as one grey clip `[segments·frames, H, W]`. */
export async function loadFileClip(path: string, s: ClipSettings): Promise<ClipArray<Uint8Array>> {
  const video = await openVideo(path);
  try {
    // The one place the step is chosen: frameStepForFps (with its 0.01 fps rounding) or the fixed step.
    const step = s.fps !== null ? frameStepForFps(video.fps, s.fps) : s.frameStep;
    const clipLength = s.frames * step;
    const part = Math.floor(video.frameCount / s.segments);
    const parts: Uint8Array[] = [];
    let height = 0;
    let width = 0;
    for (let k = 0; k < s.segments; k++) {
      // Centre of part k (the sampler clamps `end` into the video; short videos are spread and padded).
      const end = k * part + Math.floor((Math.max(part, clipLength) + clipLength) / 2);
      const { clip } = await clipFromVideo(video, {
        framesPerClip: s.frames,
        frameStep: step,
        end,
        channels: 1,
        maskSector: s.sector,
        cropToSector: s.sector,
      });
      if (k > 0 && (clip.height !== height || clip.width !== width)) {
        throw new Error(
          `segments decoded at different sizes (${height}×${width}, ${clip.height}×${clip.width})`,
        );
      }
      height = clip.height;
      width = clip.width;
      parts.push(clip.data);
    }
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
    return { data, shape: [s.segments * s.frames, height, width] };
  } catch (e) {
    throw asVideoError(path, e);
  } finally {
    video.close();
  }
}

/** The model inputs of a loaded clip: one float32 `[3, frames, res, res]` array per segment. */
export function modelInputs(clip: ClipArray, s: ClipSettings): Float32Array[] {
  const [t, h, w] = clip.shape;
  const c = clip.shape.length === 4 ? clip.shape[3] : 1;
  if (t !== s.segments * s.frames) {
    throw new RangeError(`modelInputs: clip has ${t} frames, expected ${s.segments}×${s.frames}`);
  }
  const per = s.frames * h * w * c;
  return Array.from({ length: s.segments }, (_, k) => {
    const data = clip.data.subarray(k * per, (k + 1) * per);
    const shape = c === 1 ? [s.frames, h, w] as const : [s.frames, h, w, c] as const;
    return evalTransform({ data, shape }, { cropSize: s.resolution }).data;
  });
}
