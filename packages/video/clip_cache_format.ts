/**
 * The clip-cache file format: shard headers, the JSON index and their validation. A cache is a folder with
 * `index.json` and `shard-NNNNN.bin` files.
 *
 * Shard file: 32-byte header — magic `EJCLIP01`, then little-endian u32 frames, height, width, channels, count,
 * and 3 reserved words — followed by `count` clips of `frames·height·width·channels` bytes each.
 * @module
 */
import type { ClipDims } from "@echojepa/core";
import type { SkippedFile } from "./clip_loader.ts";
import { EchoJepaError } from "@echojepa/core";

/** Magic bytes at the start of every shard. */
export const SHARD_MAGIC = "EJCLIP01";
/** Size of a shard header in bytes. */
export const SHARD_HEADER_BYTES = 32;
/** Value of the index's "format" field. */
export const INDEX_FORMAT = "echojepa-clip-cache";
/** Index version this code writes and reads. */
export const INDEX_VERSION = 1;

/** An error reading a clip cache (bad index, bad or short shard). */
export class ClipCacheError extends EchoJepaError {
  /** The cache file at fault. */
  readonly file: string;
  /** Why it is unusable. */
  readonly reason: string;
  /** Creates the error about `file`. */
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = "ClipCacheError";
    this.file = file;
    this.reason = reason;
  }
}

/** One cached clip in the index. */
export interface CachedClipRecord {
  /** Shard number (file `shard-NNNNN.bin`). */
  shard: number;
  /** Clip position inside the shard. */
  slot: number;
  /** Source video path. */
  source: string;
  /** Manifest entry index. */
  entry: number;
  /** View index within the entry. */
  view: number;
  /** Which of the clips drawn from this source (0-based). */
  draw: number;
  /** Entry label, when the manifest has one. */
  label?: number;
  /** Entry split, when known. */
  split?: string;
  /** Entry group (patient/study), when known. */
  group?: string;
  /** Source frame indices of the clip. */
  indices: number[];
  /** Source frame rate. */
  fps: number;
}

/** The JSON index of a cache. */
export interface ClipCacheIndex {
  /** Always "echojepa-clip-cache". */
  format: string;
  /** Index version (1). */
  version: number;
  /** Shape shared by every clip. */
  clip: ClipDims;
  /** Options the clips were made with (for reproducibility and resume checks). */
  options: PrepareSettings;
  /** Clip counts of the finished shards. */
  shards: number[];
  /** Every cached clip. */
  clips: CachedClipRecord[];
  /** Files skipped, with reasons. */
  skipped: SkippedFile[];
  /** True once every manifest entry was processed. */
  complete: boolean;
}

/** Settings of a cache build (stored in its index). */
export interface PrepareSettings {
  /** Frames per clip. */
  framesPerClip: number;
  /** Side of the square clip frames. */
  size: number;
  /** Channels stored. */
  channels: 1 | 3;
  /** Target fps (reference step semantics), or null for every frame. */
  targetFps: number | null;
  /** Clips drawn per source video. */
  clipsPerVideo: number;
  /** Sector masking on. */
  maskSector: boolean;
  /** Seed of the clip positions. */
  seed: number;
}

/** Bytes of one clip of a shape. */
export function clipBytes(shape: ClipDims): number {
  return shape.frames * shape.height * shape.width * shape.channels;
}

/** Encodes a shard header. */
export function encodeShardHeader(shape: ClipDims, count: number): Uint8Array {
  const header = new Uint8Array(SHARD_HEADER_BYTES);
  for (let i = 0; i < 8; i++) header[i] = SHARD_MAGIC.charCodeAt(i);
  const view = new DataView(header.buffer);
  [shape.frames, shape.height, shape.width, shape.channels, count].forEach((v, i) =>
    view.setUint32(8 + i * 4, v, true)
  );
  return header;
}

/** Decodes and checks a shard header; `fileBytes` (the shard's size) is checked against the clip count. */
export function parseShardHeader(
  bytes: Uint8Array,
  file: string,
  fileBytes?: number,
): { shape: ClipDims; count: number } {
  if (bytes.length < SHARD_HEADER_BYTES) {
    throw new ClipCacheError(file, `header needs 32 bytes, got ${bytes.length}`);
  }
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== SHARD_MAGIC.charCodeAt(i)) {
      throw new ClipCacheError(file, "not a clip shard (bad magic)");
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [frames, height, width, channels, count] = [0, 1, 2, 3, 4].map((i) =>
    view.getUint32(8 + i * 4, true)
  );
  if (channels !== 1 && channels !== 3) {
    throw new ClipCacheError(file, `channels ${channels} (must be 1 or 3)`);
  }
  if (!(frames > 0 && height > 0 && width > 0) || frames * height * width > 1 << 28) {
    throw new ClipCacheError(file, `implausible clip shape ${frames}x${height}x${width}`);
  }
  const shape: ClipDims = { frames, height, width, channels };
  if (fileBytes !== undefined && fileBytes < SHARD_HEADER_BYTES + count * clipBytes(shape)) {
    throw new ClipCacheError(file, `holds ${fileBytes} bytes, header promises ${count} clips`);
  }
  return { shape, count };
}

/** Parses and validates an index JSON text. */
export function parseCacheIndex(text: string, file: string): ClipCacheIndex {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ClipCacheError(file, `index is not JSON: ${(error as Error).message}`);
  }
  const index = value as ClipCacheIndex;
  if (typeof index !== "object" || index === null || index.format !== INDEX_FORMAT) {
    throw new ClipCacheError(file, "not a clip cache index");
  }
  if (index.version !== INDEX_VERSION) {
    throw new ClipCacheError(file, `index version ${index.version} (expected 1)`);
  }
  const shape = index.clip;
  if (
    !shape || ![shape.frames, shape.height, shape.width].every((v) => Number.isInteger(v) && v > 0) ||
    (shape.channels !== 1 && shape.channels !== 3)
  ) throw new ClipCacheError(file, "index has no valid clip shape");
  if (!Array.isArray(index.shards) || !Array.isArray(index.clips) || !Array.isArray(index.skipped)) {
    throw new ClipCacheError(file, "index lacks shards/clips/skipped lists");
  }
  for (const [i, clip] of index.clips.entries()) {
    if (
      !Number.isInteger(clip?.shard) || !Number.isInteger(clip?.slot) || clip.shard < 0 ||
      clip.shard >= index.shards.length || clip.slot < 0 || clip.slot >= index.shards[clip.shard]
    ) throw new ClipCacheError(file, `clip ${i} points outside the shards`);
  }
  return index;
}

/** Name of shard `n`. */
export function shardName(n: number): string {
  return `shard-${String(n).padStart(5, "0")}.bin`;
}
