/**
 * Writing a file so that it either appears whole or not at all: the bytes go to a temporary file beside it, which
 * is renamed onto the target only once written. When the write fails (a full disk, a quota, a read-only file
 * system) the partial temporary file is removed before the error reaches the caller, so nothing half-written is
 * left for a later run to trip on, and the error is one line naming the file and the reason.
 *
 * @module
 */

import { EchoJepaError } from "@echojepa/core";

/** A write that failed; the target is untouched and the temporary file is gone. */
export class FileWriteError extends EchoJepaError {
  /** The file that was being written. */
  readonly path: string;
  /** The system error code (`ENOSPC` for a full disk, `EROFS`, `EACCES`, …) when there was one. */
  readonly code: string | undefined;
  /** Creates the error about `path`; `cause` is the underlying error. */
  constructor(path: string, cause: unknown) {
    const code = (cause as { code?: unknown })?.code;
    const reason = code === "ENOSPC"
      ? "the disk is full"
      : code === "EROFS"
      ? "the file system is read-only"
      : code === "EACCES" || cause instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : String((cause as Error)?.message ?? cause).split("\n")[0];
    super(`could not write ${path}: ${reason}; no partial file was left`, { cause });
    this.name = "FileWriteError";
    this.path = path;
    this.code = typeof code === "string" ? code : undefined;
  }
}

/** What to write: bytes, text, or a function that writes the temporary file at the path it is given. */
export type AtomicContent = Uint8Array | string | ((temporary: string) => Promise<void> | void);

/**
 * Writes `content` to `temporary` (default `<path>.tmp-<pid>`), then renames it onto `path`. On any failure the
 * temporary file is removed and a {@link FileWriteError} is thrown; `path` keeps its previous content.
 */
export async function writeFileAtomic(
  path: string,
  content: AtomicContent,
  temporary = `${path}.tmp-${Deno.pid}`,
): Promise<void> {
  try {
    if (typeof content === "string") await Deno.writeTextFile(temporary, content);
    else if (content instanceof Uint8Array) await Deno.writeFile(temporary, content);
    else await content(temporary);
    await Deno.rename(temporary, path);
  } catch (e) {
    await Deno.remove(temporary).catch(() => {});
    throw new FileWriteError(path, e);
  }
}
