/**
 * Typed errors for video reading. Every failure to read a file becomes a {@link VideoError} that names the file,
 * the frame (when one is at fault) and the reason, so a training loop can skip the file, count it and go on.
 * @module
 */

import { EchoJepaError } from "@echojepa/core";

/** What went wrong, coarse enough for a loader to count skipped files by kind. */
export type VideoErrorKind =
  | "truncated"
  | "corrupt"
  | "unsupported"
  | "io"
  | "missing-tool"
  | "invalid-argument"
  /** A header asks for more than the documented limits allow (see `VIDEO_LIMITS`): never allocated. */
  | "too-large"
  /** A header value no real recording has (a rate of 1e303 fps, −7 frames, a 0×0 frame). */
  | "implausible-metadata";

/** An error reading or decoding a video file. Never carries patient-identifying values. */
export class VideoError extends EchoJepaError {
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
 * A bound exceeded inside a codec that does not know the file name (a JPEG frame header claiming 60000×60000):
 * {@link asVideoError} turns it into a {@link VideoError} of the same kind about the file.
 */
export class LimitExceededError extends EchoJepaError {
  /** "too-large" or "implausible-metadata". */
  readonly kind: "too-large" | "implausible-metadata";
  /** Creates the error with its kind and a reason naming the field and value. */
  constructor(kind: "too-large" | "implausible-metadata", reason: string) {
    super(reason);
    this.name = "LimitExceededError";
    this.kind = kind;
  }
}

/** Longest header text quoted in a reason; longer values are cut and marked with "…". */
export const MAX_QUOTED_CHARS = 32;

/**
 * A header string made safe to quote in an error reason: printable ASCII only (others become "?"), at most
 * `maxChars` (default {@link MAX_QUOTED_CHARS}) characters. Header text is untrusted and may carry anything, including identifiers.
 */
export function quoteHeaderText(text: string, maxChars: number = MAX_QUOTED_CHARS): string {
  const clean = text.slice(0, maxChars).replace(/[^\x20-\x7e]/g, "?");
  return text.length > maxChars ? `${clean}…` : clean;
}

/**
 * The message of any thrown value, never "[object Object]": an Error's message, a string as is, an object's
 * `exception`/`message` member (dicom-parser throws `{exception, dataSet}`), else the value's type.
 */
export function thrownMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  if (error !== null && typeof error === "object") {
    const inner = (error as { exception?: unknown; message?: unknown }).exception ??
      (error as { message?: unknown }).message;
    if (inner !== undefined && inner !== error) return thrownMessage(inner);
    return `unreadable (a ${error.constructor?.name ?? "plain"} object was thrown)`;
  }
  return String(error);
}

/**
 * Wraps any thrown value as a {@link VideoError} about `file`: a VideoError passes through; a RangeError from
 * reading past the end of a buffer becomes "truncated"; anything else becomes "corrupt". Only Error instances are
 * kept as the cause: a thrown object may hold a parsed data set (patient fields included).
 */
export function asVideoError(file: string, error: unknown, frame?: number): VideoError {
  if (error instanceof VideoError) return error;
  const message = thrownMessage(error);
  if (error instanceof LimitExceededError) return new VideoError(file, error.kind, message, { frame });
  const kind: VideoErrorKind =
    /allocation failed|invalid array length|invalid typed array length/i.test(message)
      ? "too-large"
      : error instanceof RangeError || /out of range|beyond|past the end|truncat/i.test(message)
      ? "truncated"
      : "corrupt";
  return new VideoError(file, kind, message, {
    frame,
    // An Error with extra own fields (a parser's partial result) is replaced by a bare one.
    cause: error instanceof Error
      ? (Object.keys(error).length === 0 ? error : new Error(message))
      : undefined,
  });
}
