/**
 * Reads a clip cache: validates the index, checks each shard's header on first use, and reads clips by seeking.
 * @module
 */
import {
  clipBytes,
  ClipCacheError,
  type ClipCacheIndex,
  parseCacheIndex,
  parseShardHeader,
  SHARD_HEADER_BYTES,
  shardName,
} from "./clip_cache_format.ts";
import { type Clip, clipShapeOf, makeClip } from "@echojepa/core";

/** A read-only view of a clip cache. */
export interface ClipCache {
  /** The parsed index. */
  index: ClipCacheIndex;
  /** Number of clips. */
  length: number;
  /** Reads clip `i`: `[T, H, W]` or `[T, H, W, 3]` uint8. */
  readClip(i: number): Clip<Uint8Array>;
  /** Reads several clips into one `[N·T, H, W(, C)]` clip (frames of clip k start at k·T). */
  readClips(indices: readonly number[]): Clip<Uint8Array>;
  /** Closes the open shard files. */
  close(): void;
}

/** Opens a cache folder for reading; checks the index and each shard's header on first use. */
export function openClipCache(dir: string): ClipCache {
  const indexPath = `${dir}/index.json`;
  let text: string;
  try {
    text = Deno.readTextFileSync(indexPath);
  } catch (error) {
    throw new ClipCacheError(indexPath, `cannot read: ${(error as Error).message}`);
  }
  const index = parseCacheIndex(text, indexPath);
  const shape = index.clip;
  const bytesPerClip = clipBytes(shape);
  const files = new Map<number, Deno.FsFile>();
  const shardFile = (n: number): Deno.FsFile => {
    const open = files.get(n);
    if (open) return open;
    const path = `${dir}/${shardName(n)}`;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path);
    } catch (error) {
      throw new ClipCacheError(path, `cannot open: ${(error as Error).message}`);
    }
    const header = new Uint8Array(SHARD_HEADER_BYTES);
    const got = file.readSync(header) ?? 0;
    const parsed = parseShardHeader(header.subarray(0, got), path, file.statSync().size);
    if (clipBytes(parsed.shape) !== bytesPerClip || parsed.count !== index.shards[n]) {
      file.close();
      throw new ClipCacheError(path, "shard header disagrees with the index");
    }
    files.set(n, file);
    return file;
  };
  return {
    index,
    length: index.clips.length,
    readClip(i: number): Clip<Uint8Array> {
      const record = index.clips[i];
      if (!record) throw new RangeError(`clip ${i} outside 0..${index.clips.length - 1}`);
      const file = shardFile(record.shard);
      file.seekSync(SHARD_HEADER_BYTES + record.slot * bytesPerClip, Deno.SeekMode.Start);
      const data = new Uint8Array(bytesPerClip);
      let read = 0;
      while (read < bytesPerClip) {
        const n = file.readSync(data.subarray(read));
        if (n === null || n === 0) {
          throw new ClipCacheError(shardName(record.shard), `clip ${i} is cut short`);
        }
        read += n;
      }
      return makeClip(data, clipShapeOf(shape));
    },
    readClips(indices: readonly number[]): Clip<Uint8Array> {
      const data = new Uint8Array(indices.length * bytesPerClip);
      indices.forEach((i, k) => data.set(this.readClip(i).data, k * bytesPerClip));
      return makeClip(data, clipShapeOf({ ...shape, frames: shape.frames * indices.length }));
    },
    close(): void {
      for (const file of files.values()) file.close();
      files.clear();
    },
  };
}
