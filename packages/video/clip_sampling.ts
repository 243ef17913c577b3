/**
 * Clip sampling with EchoJEPA/V-JEPA 2 semantics (reference `video_dataset.py`, spec §5.6):
 * `frame_step = ceil(fps_of_file) // target_fps`; a 16-frame clip spans `16·step` raw frames ending at a random
 * `end ∈ [clip_len, L)`; its indices are `floor(linspace(end − clip_len, end, 16))` clipped to `end − 1`. Shorter
 * videos take `floor(linspace(0, L, L // step))` padded with the last frame. Files slower than the target rate
 * are rejected. Also: C clips from C equal parts of a video (multi-clip probing), and exact-time resampling.
 * @module
 */

import type { RandomSource } from "@echojepa/core";
import { EchoJepaError } from "@echojepa/core";

export type { RandomSource };

/** Thrown when a file's frame rate is below the requested clip rate (the reference asserts and skips it). */
export class FrameRateTooLowError extends EchoJepaError {
  /** Frame rate of the file. */
  readonly videoFps: number;
  /** Requested clip frame rate. */
  readonly targetFps: number;
  /** Creates the error for a file at `videoFps` asked for clips at `targetFps`. */
  constructor(videoFps: number, targetFps: number) {
    super(
      `video frame rate ${videoFps.toFixed(3)} fps is below the requested ${targetFps} fps ` +
        `(frame_step = ceil(${
          videoFps.toFixed(3)
        }) // ${targetFps} = 0); choose a lower target fps or skip the file`,
    );
    this.name = "FrameRateTooLowError";
    this.videoFps = videoFps;
    this.targetFps = targetFps;
  }
}

/**
 * The reference's integer frame step: `ceil(videoFps) // targetFps` (fps rounded to 0.01 first), at least 1,
 * else a {@link FrameRateTooLowError}.
 */
export function frameStepForFps(videoFps: number, targetFps: number): number {
  if (!(targetFps > 0)) throw new RangeError(`target fps must be positive, got ${targetFps}`);
  if (!(videoFps > 0)) throw new RangeError(`video fps must be positive, got ${videoFps}`);
  // Round to 0.01 fps first: a FrameTime stored as 33.333 ms gives 30.0003 fps, which must count as 30, not 31.
  const step = Math.floor(Math.ceil(Math.round(videoFps * 100) / 100) / targetFps);
  if (step < 1) throw new FrameRateTooLowError(videoFps, targetFps);
  return step;
}

/** numpy.linspace(start, stop, count) with both ends included, truncated to integers like `.astype(int64)`. */
function linspaceFloor(start: number, stop: number, count: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [Math.floor(start)];
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.floor(start + (i * (stop - start)) / (count - 1)));
  return out;
}

/** Options for {@link sampleClipIndices}. */
export interface ClipSamplingOptions {
  /** Frames per clip (default 16). */
  framesPerClip?: number;
  /** Raw-frame step between clip frames (see {@link frameStepForFps}). */
  frameStep: number;
  /**
   * Exclusive end of the clip's raw-frame span, for a fixed (evaluation) clip. Clamped to `[clip_len, L − 1]`.
   * Default: random in `[clip_len, L)`.
   */
  end?: number;
  /** Random source for the end (default Math.random). */
  random?: RandomSource;
}

/** Frame indices of one clip from a video of `frameCount` frames, exactly as the reference samples them. */
export function sampleClipIndices(frameCount: number, options: ClipSamplingOptions): number[] {
  const framesPerClip = options.framesPerClip ?? 16;
  const step = options.frameStep;
  if (!(Number.isInteger(step) && step >= 1)) {
    throw new RangeError(`frame step must be an integer ≥ 1, got ${step}`);
  }
  if (!(frameCount >= 1)) throw new RangeError(`video has ${frameCount} frames`);
  const clipLength = framesPerClip * step;
  if (frameCount > clipLength) {
    const random = options.random ?? Math.random;
    const end = options.end === undefined
      ? clipLength + Math.floor(random() * (frameCount - clipLength)) // randint(clip_len, L)
      : Math.min(Math.max(Math.round(options.end), clipLength), frameCount - 1);
    const start = end - clipLength;
    return linspaceFloor(start, end, framesPerClip).map((i) => Math.min(Math.max(i, start), end - 1));
  }
  // Short video (or still): spread L // step frames over the whole video, pad with the last frame.
  const indices = linspaceFloor(0, frameCount, Math.floor(frameCount / step));
  while (indices.length < framesPerClip) indices.push(frameCount);
  return indices.map((i) => Math.min(Math.max(i, 0), frameCount - 1));
}

/** Options for {@link sampleMultiClipIndices}. */
export interface MultiClipOptions extends Omit<ClipSamplingOptions, "end"> {
  /** Number of clips C. */
  clips: number;
  /** Random end inside each part (training) or the earliest end (evaluation, default). */
  randomEnd?: boolean;
}

/**
 * C clips from C equal, consecutive parts of a video (the reference's `num_clips` partitioning): each part is
 * sampled like a whole video of `⌊L / C⌋` frames and offset by its start.
 */
export function sampleMultiClipIndices(frameCount: number, options: MultiClipOptions): number[][] {
  const { clips } = options;
  if (!(Number.isInteger(clips) && clips >= 1)) {
    throw new RangeError(`clips must be an integer ≥ 1, got ${clips}`);
  }
  const partLength = Math.max(1, Math.floor(frameCount / clips));
  const clipLength = (options.framesPerClip ?? 16) * options.frameStep;
  const out: number[][] = [];
  for (let c = 0; c < clips; c++) {
    const offset = Math.min(c * partLength, frameCount - 1);
    const part = Math.min(partLength, frameCount - offset);
    const indices = sampleClipIndices(part, {
      ...options,
      end: options.randomEnd ? undefined : clipLength,
    });
    out.push(indices.map((i) => i + offset));
  }
  return out;
}

/** Options for {@link sampleClipByTime}. */
export interface TimeSamplingOptions {
  /** Output frame rate. */
  targetFps: number;
  /** Frames per clip (default 16). */
  framesPerClip?: number;
  /** Clip start time in seconds (default: random over the video, or 0 when it is too short). */
  startS?: number;
  /** Random source for the start (default Math.random). */
  random?: RandomSource;
}

/**
 * Exact-time resampling: frame k of the clip is the frame on screen at `start + k / targetFps` seconds, using
 * per-frame times when the file gives them (variable-rate DICOM) and `1 / fps` otherwise. Past the end the last
 * frame repeats.
 */
export function sampleClipByTime(
  timing: { frameCount: number; fps: number; frameTimesMs?: readonly number[] },
  options: TimeSamplingOptions,
): number[] {
  const framesPerClip = options.framesPerClip ?? 16;
  if (!(options.targetFps > 0)) throw new RangeError(`target fps must be positive, got ${options.targetFps}`);
  // Start time of each frame.
  const starts: number[] = [];
  let t = 0;
  for (let i = 0; i < timing.frameCount; i++) {
    starts.push(t);
    t += timing.frameTimesMs && timing.frameTimesMs.length === timing.frameCount
      ? timing.frameTimesMs[i] / 1000
      : 1 / timing.fps;
  }
  const total = t;
  const span = framesPerClip / options.targetFps;
  const latestStart = Math.max(0, total - span);
  const startS = options.startS ?? (options.random ?? Math.random)() * latestStart;
  const out: number[] = [];
  let frame = 0;
  for (let k = 0; k < framesPerClip; k++) {
    const time = startS + k / options.targetFps + 1e-9;
    while (frame + 1 < timing.frameCount && starts[frame + 1] <= time) frame++;
    out.push(frame);
  }
  return out;
}
