/**
 * The documented bounds every reader checks a header against before it allocates or decodes anything. Files are
 * untrusted: a 56 KB file can claim 16000×16000 pixels, 2³² samples or 10³⁰³ fps. Values outside these bounds are
 * {@link VideoError}s of kind "too-large" (more than the reader will allocate) or "implausible-metadata" (values
 * no recording has), naming the header field and its value.
 * @module
 */
import { VideoError } from "./errors.ts";

/** The limits {@link checkVideoHeader} enforces. */
export interface VideoLimits {
  /** Largest width or height in pixels (echo cines are ≤ 1024; 4K video is 3840). */
  maxSide: number;
  /** Largest frame count a header may state. */
  maxFrames: number;
  /** Frame rates must lie in (0, maxFps]. */
  maxFps: number;
  /** Most decoded bytes one `readFrames` call (or one ffmpeg run) may produce. */
  maxDecodedBytes: number;
}

/** The limits: ≤ 4096 px a side, ≤ 100 000 frames, fps in (0, 1000], ≤ 512 MiB decoded per read (the process then stays under about 2 GB). */
export const VIDEO_LIMITS: Readonly<VideoLimits> = Object.freeze({
  maxSide: 4096,
  maxFrames: 100_000,
  maxFps: 1000,
  maxDecodedBytes: 1 << 29,
});

/** A header's claims, with the names of the fields they came from (for the error). */
export interface HeaderClaims {
  /** Frame width and the field it came from. */
  width: number;
  /** Frame height. */
  height: number;
  /** Frame count. */
  frameCount: number;
  /** Frames per second. */
  fps: number;
  /** Field names, e.g. `{ width: "Columns", height: "Rows", frameCount: "NumberOfFrames", fps: "FrameTime" }`. */
  fields: { width: string; height: string; frameCount: string; fps: string };
  /** Size of the file in bytes: a file cannot hold more frames than it has bytes. */
  fileBytes: number;
}

function show(value: number): string {
  return Number.isFinite(value) && Math.abs(value) < 1e15 ? String(value) : value.toExponential(3);
}

/** Throws a "too-large" or "implausible-metadata" {@link VideoError} when a header's claims are out of bounds. */
export function checkVideoHeader(
  file: string,
  claims: HeaderClaims,
  limits: VideoLimits = VIDEO_LIMITS,
): void {
  const { fields } = claims;
  for (const axis of ["width", "height"] as const) {
    const v = claims[axis];
    if (!Number.isInteger(v) || v < 1) {
      throw new VideoError(
        file,
        "implausible-metadata",
        `${fields[axis]} ${show(v)}: a frame side must be ≥ 1`,
      );
    }
    if (v > limits.maxSide) {
      throw new VideoError(
        file,
        "too-large",
        `${fields[axis]} ${show(v)} exceeds the limit of ${limits.maxSide} px`,
      );
    }
  }
  const n = claims.frameCount;
  if (!Number.isInteger(n) || n < 1) {
    throw new VideoError(
      file,
      "implausible-metadata",
      `${fields.frameCount} ${show(n)}: need at least one frame`,
    );
  }
  if (n > limits.maxFrames) {
    throw new VideoError(
      file,
      "too-large",
      `${fields.frameCount} ${show(n)} exceeds the limit of ${limits.maxFrames}`,
    );
  }
  if (n > claims.fileBytes) {
    throw new VideoError(
      file,
      "implausible-metadata",
      `${fields.frameCount} ${show(n)} is more frames than the ${claims.fileBytes}-byte file can hold`,
    );
  }
  if (!(claims.fps > 0 && claims.fps <= limits.maxFps)) {
    throw new VideoError(
      file,
      "implausible-metadata",
      `${fields.fps} gives ${show(claims.fps)} fps, outside (0, ${limits.maxFps}]`,
    );
  }
}

/** Throws a "too-large" {@link VideoError} when decoding `frames` frames of `frameBytes` would pass the budget. */
export function checkDecodeBudget(
  file: string,
  frames: number,
  frameBytes: number,
  limits: VideoLimits = VIDEO_LIMITS,
): void {
  if (frames * frameBytes > limits.maxDecodedBytes) {
    throw new VideoError(
      file,
      "too-large",
      `decoding ${frames} frames of ${frameBytes} bytes exceeds the ${limits.maxDecodedBytes}-byte budget of one read`,
    );
  }
}
