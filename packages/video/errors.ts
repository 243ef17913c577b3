/**
 * Typed errors for video reading. Every failure to read a file becomes a {@link VideoError} that names the file,
 * the frame (when one is at fault) and the reason, so a training loop can skip the file, count it and go on.
 * @module
 */

/** What went wrong, coarse enough for a loader to count skipped files by kind. */
export type VideoErrorKind =
  | "truncated"
  | "corrupt"
  | "unsupported"
  | "io"
  | "missing-tool"
  | "invalid-argument";

/** An error reading or decoding a video file. Never carries patient-identifying values. */
export class VideoError extends Error {
  /** The file (path or label) the error is about. */
  readonly file: string;
  /** The 0-based frame at fault, when the error is about one frame. */
  readonly frame: number | undefined;
  /** Coarse category of the failure. */
  readonly kind: VideoErrorKind;
  /** Human-readable reason, without the file name. */
  readonly reason: string;

  /** Creates an error about `file` (and optionally one `frame`) with a `reason`. */
  constructor(
    file: string,
    kind: VideoErrorKind,
    reason: string,
    options: { frame?: number; cause?: unknown } = {},
  ) {
    const where = options.frame === undefined ? file : `${file} frame ${options.frame}`;
    super(`${where}: ${reason}`, { cause: options.cause });
    this.name = "VideoError";
    this.file = file;
    this.frame = options.frame;
    this.kind = kind;
    this.reason = reason;
  }
}

/**
 * Wraps any thrown value as a {@link VideoError} about `file`: a VideoError passes through; a RangeError from
 * reading past the end of a buffer becomes "truncated"; anything else becomes "corrupt".
 */
export function asVideoError(file: string, error: unknown, frame?: number): VideoError {
  if (error instanceof VideoError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind: VideoErrorKind =
    error instanceof RangeError || /out of range|beyond|past the end|truncat/i.test(message)
      ? "truncated"
      : "corrupt";
  return new VideoError(file, kind, message, { frame, cause: error });
}
