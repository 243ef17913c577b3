/**
 * Random access to the bytes of a checkpoint, from memory or from a file on disk. A file is read piece by piece
 * with positioned reads, so a 5 GB training checkpoint can be opened and one module read out of it without the
 * whole file ever being in memory.
 *
 * @module
 */

import { TorchCheckpointError } from "./errors.ts";

/** Bytes that can be read at any offset. */
export interface ByteSource {
  /** What the bytes are, for error messages (a path, or "in-memory bytes"). */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /** `length` bytes from `offset`; throws a "truncated" error when they run past the end. */
  read(offset: number, length: number): Uint8Array;
  /** Releases the file (no-op for memory). */
  close(): void;
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > size) {
    throw new TorchCheckpointError(
      "truncated",
      `${name}: needs bytes [${offset}, ${offset + length}) but the file is ${size} bytes (truncated?)`,
    );
  }
}

/** A source over bytes already in memory (reads are views, not copies). */
export function bytesSource(bytes: Uint8Array, name = "in-memory bytes"): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      checkRange(name, bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
    close(): void {},
  };
}

/** A source over a file, read with positioned reads on demand. */
export function fileSource(path: string): ByteSource {
  const file = Deno.openSync(path, { read: true });
  const size = file.statSync().size;
  return {
    name: path,
    size,
    read(offset: number, length: number): Uint8Array {
      checkRange(path, size, offset, length);
      const out = new Uint8Array(length);
      file.seekSync(offset, Deno.SeekMode.Start);
      let at = 0;
      while (at < length) {
        const n = file.readSync(out.subarray(at));
        if (n === null || n === 0) {
          throw new TorchCheckpointError("truncated", `${path}: file ended at byte ${offset + at}`);
        }
        at += n;
      }
      return out;
    },
    close(): void {
      file.close();
    },
  };
}
