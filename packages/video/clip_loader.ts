/**
 * From a file to a training clip: open, sample frame indices (reference fps semantics or exact-time), decode only
 * those frames, preprocess (grey, sector mask, square crop around the sector, resize). A loader over a manifest
 * skips unreadable files, counts them by kind, and never stops a run.
 * @module
 */
import { frameStepForFps, type RandomSource, sampleClipByTime, sampleClipIndices } from "./clip_sampling.ts";
import { asVideoError, VideoError, type VideoErrorKind } from "./errors.ts";
import type { ManifestEntry } from "./manifest.ts";
import { openVideo } from "./open_video.ts";
import { resizeStack } from "./resize.ts";
import { applyMask, cropStack, detectSector, squareBox, toGrey } from "./sector.ts";
import type { Video } from "./video.ts";
import { type Clip, clipDims, makeClip, rowMajorData } from "@echojepa/core";

/** Options for {@link loadClip}. */
export interface LoadClipOptions {
  /** Frames per clip (default 16). */
  framesPerClip?: number;
  /** Target clip rate; the step is `ceil(fps) // targetFps` (reference). Default: every frame (step 1). */
  targetFps?: number;
  /**
   * An explicit raw-frame step, for callers that already chose it (with {@link frameStepForFps} or a fixed step);
   * overrides `targetFps`.
   */
  frameStep?: number;
  /** Resample at exact times instead of integer steps (needs targetFps). */
  exactTime?: boolean;
  /** Output side length in pixels (square); default: no resize. */
  size?: number;
  /** Output channels (default 1, grey). */
  channels?: 1 | 3;
  /** Blank everything outside the detected sector (default true). */
  maskSector?: boolean;
  /** Crop to a square around the sector before resizing (default true). */
  cropToSector?: boolean;
  /** Exclusive end frame of the clip span (evaluation); default random. */
  end?: number;
  /** Random source (default Math.random). */
  random?: RandomSource;
  /** Frames used for sector detection, spread over the video (default 24). */
  sectorFrames?: number;
}

/** A preprocessed clip and where it came from. */
export interface LoadedClip {
  /** `[T, H, W]` or `[T, H, W, 3]` uint8; may be a view (e.g. the sector crop) into a larger decoded buffer. */
  clip: Clip<Uint8Array>;
  /** Source frame index of each clip frame. */
  indices: number[];
  /** Raw-frame step used (0 for exact-time sampling). */
  frameStep: number;
  /** Frame rate of the source file. */
  fps: number;
  /** Frames in the source file. */
  sourceFrames: number;
}

/** Samples, decodes and preprocesses one clip from an open video. */
export async function clipFromVideo(video: Video, options: LoadClipOptions = {}): Promise<LoadedClip> {
  const framesPerClip = options.framesPerClip ?? 16;
  let indices: number[];
  let frameStep = 0;
  if (options.exactTime) {
    if (!options.targetFps) throw new VideoError(video.file, "invalid-argument", "exactTime needs targetFps");
    indices = sampleClipByTime(video, {
      targetFps: options.targetFps,
      framesPerClip,
      random: options.random,
    });
  } else {
    try {
      frameStep = options.frameStep ??
        (options.targetFps ? frameStepForFps(video.fps, options.targetFps) : 1);
    } catch (error) {
      throw new VideoError(video.file, "unsupported", (error as Error).message, { cause: error });
    }
    indices = sampleClipIndices(video.frameCount, {
      frameStep,
      framesPerClip,
      end: options.end,
      random: options.random,
    });
  }
  const wantMask = options.maskSector ?? true;
  const wantCrop = options.cropToSector ?? true;
  // Detect the sector on frames spread over the whole cine (motion within one short clip can be too small).
  const sectorCount = wantMask || wantCrop ? Math.min(video.frameCount, options.sectorFrames ?? 24) : 0;
  const spread = Array.from(
    { length: sectorCount },
    (_, i) => Math.floor((i * video.frameCount) / sectorCount),
  );
  // Decode the union of both index lists once.
  const all = await video.readFrames([...indices, ...spread]);
  let clip = all.hi(indices.length); // views of the one buffer: nothing is copied
  if (sectorCount > 0) {
    const sectorFrames = all.lo(indices.length);
    const sector = detectSector(toGrey(sectorFrames), { within: video.tissueRegion });
    if (wantMask) clip = applyMask(clip, sector.mask);
    if (wantCrop) clip = cropStack(clip, squareBox(sector.box, video.width, video.height));
  }
  if ((options.channels ?? 1) === 1) clip = toGrey(clip);
  else if (clipDims(clip).channels === 1) clip = greyToRgb(clip);
  if (options.size) clip = resizeStack(clip, options.size, options.size);
  return { clip, indices, frameStep, fps: video.fps, sourceFrames: video.frameCount };
}

function greyToRgb(stack: Clip<Uint8Array>): Clip<Uint8Array> {
  const { frames, height, width } = clipDims(stack, "greyToRgb");
  const grey = rowMajorData(stack);
  const data = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = grey[i];
  return makeClip(data, [frames, height, width, 3]);
}

/** Opens a file and returns one preprocessed clip; every failure is a {@link VideoError}. */
export async function loadClip(path: string, options: LoadClipOptions = {}): Promise<LoadedClip> {
  // Decode straight to the output channels: grey decoding of a colour JPEG skips the chroma transforms.
  const video = await openVideo(path, { channels: options.channels ?? 1 });
  try {
    return await clipFromVideo(video, options);
  } catch (error) {
    throw asVideoError(path, error);
  } finally {
    video.close();
  }
}

/** A file the loader skipped, and why. */
export interface SkippedFile {
  /** Path of the file. */
  file: string;
  /** Error category. */
  kind: VideoErrorKind;
  /** Reason, without patient data. */
  reason: string;
}

/** Counts of what a loader skipped, by error kind. */
export type SkipCounts = Partial<Record<VideoErrorKind, number>>;

/** One clip of a manifest entry's view. */
export interface ManifestClip extends LoadedClip {
  /** Index of the entry in the manifest. */
  entryIndex: number;
  /** View (column) index within the entry. */
  view: number;
  /** Path of the file. */
  file: string;
}

/**
 * Loads clips for every view of every entry, skipping files that fail (recorded in `skipped`) instead of
 * throwing: one bad file never stops a run.
 */
export async function* iterateClips(
  entries: readonly ManifestEntry[],
  options: LoadClipOptions,
  skipped: SkippedFile[] = [],
): AsyncGenerator<ManifestClip> {
  for (let entryIndex = 0; entryIndex < entries.length; entryIndex++) {
    const paths = entries[entryIndex].paths;
    for (let view = 0; view < paths.length; view++) {
      const file = paths[view];
      if (file === null) continue;
      try {
        yield { ...(await loadClip(file, options)), entryIndex, view, file };
      } catch (error) {
        const e = asVideoError(file, error);
        skipped.push({ file, kind: e.kind, reason: e.reason });
      }
    }
  }
}

/** Tallies skipped files by kind. */
export function countSkips(skipped: readonly SkippedFile[]): SkipCounts {
  const counts: SkipCounts = {};
  for (const s of skipped) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  return counts;
}

/** Options for {@link loadClipOrSubstitute}. */
export interface SubstituteOptions {
  /** Attempts before giving up (default 10). */
  maxTries?: number;
  /** Random source for the substitute choice (default Math.random). */
  random?: RandomSource;
  /** Skipped files are appended here. */
  skipped?: SkippedFile[];
}

/**
 * Loads a clip of entry `index` (first present view); when that file fails, records it and tries another random
 * entry instead, as the reference loader does, so a training step always gets a clip. Throws only when
 * `maxTries` files in a row fail.
 */
export async function loadClipOrSubstitute(
  entries: readonly ManifestEntry[],
  index: number,
  options: LoadClipOptions,
  substitute: SubstituteOptions = {},
): Promise<ManifestClip> {
  const maxTries = substitute.maxTries ?? 10;
  const random = substitute.random ?? Math.random;
  let entryIndex = index;
  let lastError: VideoError | undefined;
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const view = entries[entryIndex].paths.findIndex((p) => p !== null);
    const file = entries[entryIndex].paths[view];
    if (file) {
      try {
        return { ...(await loadClip(file, options)), entryIndex, view, file };
      } catch (error) {
        lastError = asVideoError(file, error);
        substitute.skipped?.push({ file, kind: lastError.kind, reason: lastError.reason });
      }
    }
    entryIndex = Math.floor(random() * entries.length);
  }
  throw new VideoError(
    lastError?.file ?? "<manifest>",
    lastError?.kind ?? "invalid-argument",
    `${maxTries} files in a row could not be read; last: ${lastError?.reason ?? "no file in the entries"}`,
  );
}
