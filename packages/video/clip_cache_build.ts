/**
 * Builds a clip cache: a manifest decoded once into fixed-size uint8 clips in binary shards plus a JSON index, so
 * training epochs read clips without decoding video. Progress goes through a callback; an interrupted build
 * resumes (finished shards are kept; the index is rewritten atomically after each one); every skipped file is
 * recorded with its reason; worker threads can share the decoding without changing the result.
 * @module
 */
import { loadClip, type LoadClipOptions } from "./clip_loader.ts";
import { type ClipDims, Random, rowMajorData } from "@echojepa/core";
import { asVideoError, type VideoErrorKind } from "./errors.ts";
import type { ManifestEntry } from "./manifest.ts";
import {
  type CachedClipRecord,
  clipBytes,
  ClipCacheError,
  type ClipCacheIndex,
  encodeShardHeader,
  INDEX_FORMAT,
  INDEX_VERSION,
  parseCacheIndex,
  type PrepareSettings,
  SHARD_HEADER_BYTES,
  shardName,
} from "./clip_cache_format.ts";
import { writeFileAtomic } from "./atomic_write.ts";

/** Progress of a cache build. */
export interface PrepareProgress {
  /** Sources processed (cached or skipped), including earlier runs. */
  done: number;
  /** Sources in the manifest. */
  total: number;
  /** Clips written so far, including earlier runs. */
  clips: number;
  /** Files skipped so far. */
  skipped: number;
}

/** Options for {@link prepareClipCache}. */
export interface PrepareOptions {
  /** Frames per clip (default 16). */
  framesPerClip?: number;
  /** Side of the stored square frames (default 112). */
  size?: number;
  /** Channels stored (default 1). */
  channels?: 1 | 3;
  /** Target fps with the reference's step semantics (default: every frame). */
  targetFps?: number;
  /** Clips drawn per video (default 1). */
  clipsPerVideo?: number;
  /** Mask outside the sector (default true). */
  maskSector?: boolean;
  /** Seed for clip positions (default 0). */
  seed?: number;
  /** Clips per shard (default 256). */
  shardSize?: number;
  /**
   * Decode in this many worker threads (default 1: in this thread). Results are committed in manifest order, so
   * the cache is the same for any worker count.
   */
  workers?: number;
  /** Called after each source. */
  onProgress?: (progress: PrepareProgress) => void;
}

/** What a cache build did. */
export interface PrepareSummary {
  /** Clips in the cache. */
  clips: number;
  /** Clips written by this run. */
  newClips: number;
  /** Files skipped (all runs). */
  skipped: number;
  /** Sources already done by an earlier run. */
  resumed: number;
  /** Seconds this run took. */
  seconds: number;
  /** Clips written per second in this run. */
  clipsPerSecond: number;
}

function sourceKey(entry: number, view: number): string {
  return `${entry}:${view}`;
}

/** Whole or not at all; a failed write (full disk) removes its `.tmp` and says which file in one line. */
function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  return writeFileAtomic(path, data, `${path}.tmp`);
}

/**
 * Decodes every video of a manifest into a clip cache under `dir`, resuming a compatible earlier build there.
 * Throws a {@link ClipCacheError} when `dir` holds a cache made with different settings.
 */
export async function prepareClipCache(
  entries: readonly ManifestEntry[],
  dir: string,
  options: PrepareOptions = {},
): Promise<PrepareSummary> {
  const settings: PrepareSettings = {
    framesPerClip: options.framesPerClip ?? 16,
    size: options.size ?? 112,
    channels: options.channels ?? 1,
    targetFps: options.targetFps ?? null,
    clipsPerVideo: options.clipsPerVideo ?? 1,
    maskSector: options.maskSector ?? true,
    seed: options.seed ?? 0,
  };
  const shape: ClipDims = {
    frames: settings.framesPerClip,
    height: settings.size,
    width: settings.size,
    channels: settings.channels,
  };
  const shardSize = options.shardSize ?? 256;
  await Deno.mkdir(dir, { recursive: true });
  // Temporary files of writes an earlier, interrupted build left behind (killed, disk full) are never resumed.
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".tmp")) await Deno.remove(`${dir}/${e.name}`).catch(() => {});
  }
  const indexPath = `${dir}/index.json`;
  let index: ClipCacheIndex = {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    clip: shape,
    options: settings,
    shards: [],
    clips: [],
    skipped: [],
    complete: false,
  };
  try {
    const previous = parseCacheIndex(await Deno.readTextFile(indexPath), indexPath);
    if (JSON.stringify(previous.options) !== JSON.stringify(settings)) {
      throw new ClipCacheError(
        indexPath,
        "an existing cache here was made with other settings; use another folder",
      );
    }
    index = previous;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const done = new Set<string>(index.clips.map((c) => sourceKey(c.entry, c.view)));
  const skippedKeys = new Set(index.skipped.map((s) => s.file));
  const total = entries.reduce((n, e) => n + e.paths.filter((p) => p !== null).length, 0);
  let processed = 0;
  for (const [e, entry] of entries.entries()) {
    entry.paths.forEach((p, v) => {
      if (p !== null && (done.has(sourceKey(e, v)) || skippedKeys.has(p))) processed++;
    });
  }
  const resumed = processed;
  const bytesPerClip = clipBytes(shape);
  let pending: { record: CachedClipRecord; data: Uint8Array }[] = [];
  let newClips = 0;
  const started = performance.now();

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const shard = index.shards.length;
    const body = new Uint8Array(SHARD_HEADER_BYTES + pending.length * bytesPerClip);
    body.set(encodeShardHeader(shape, pending.length));
    pending.forEach((p, slot) => {
      body.set(p.data, SHARD_HEADER_BYTES + slot * bytesPerClip);
      p.record.shard = shard;
      p.record.slot = slot;
    });
    await writeAtomically(`${dir}/${shardName(shard)}`, body);
    index.shards.push(pending.length);
    index.clips.push(...pending.map((p) => p.record));
    pending = [];
    await writeAtomically(indexPath, JSON.stringify(index));
  };

  const tasks: { e: number; v: number; path: string }[] = [];
  for (const [e, entry] of entries.entries()) {
    for (const [v, path] of entry.paths.entries()) {
      if (path !== null && !done.has(sourceKey(e, v)) && !skippedKeys.has(path)) tasks.push({ e, v, path });
    }
  }
  const workerCount = Math.max(1, Math.min(options.workers ?? 1, tasks.length));
  const pool = workerCount > 1 ? createWorkerPool(workerCount) : undefined;
  const load = (path: string): Promise<SourceResult> =>
    pool ? pool.run(path, settings) : loadSourceClips(path, settings);
  // Keep a few sources in flight per worker, but commit results in manifest order so shards are deterministic.
  const window = workerCount * 3;
  const inFlight: Promise<SourceResult>[] = [];
  try {
    for (let next = 0, committed = 0; committed < tasks.length; committed++) {
      while (next < tasks.length && next - committed < window) inFlight.push(load(tasks[next++].path));
      const result = await inFlight.shift()!;
      const { e, v, path } = tasks[committed];
      const entry = entries[e];
      if (result.ok) {
        result.clips.forEach((loaded, draw) => {
          const record: CachedClipRecord = {
            shard: -1,
            slot: -1,
            source: path,
            entry: e,
            view: v,
            draw,
            indices: loaded.indices,
            fps: Math.round(loaded.fps * 1e4) / 1e4,
          };
          if (entry.label !== undefined) record.label = entry.label;
          if (entry.split !== undefined) record.split = entry.split;
          if (entry.group !== undefined) record.group = entry.group;
          pending.push({ record, data: loaded.data });
          newClips++;
        });
      } else {
        index.skipped.push({ file: path, kind: result.kind, reason: result.reason });
      }
      processed++;
      if (pending.length >= shardSize) await flush();
      options.onProgress?.({
        done: processed,
        total,
        clips: index.clips.length + pending.length,
        skipped: index.skipped.length,
      });
    }
  } finally {
    // An early exit (a failed write) must not leave loads running against terminated workers.
    await Promise.allSettled(inFlight);
    pool?.close();
  }
  await flush();
  index.complete = true;
  await writeAtomically(indexPath, JSON.stringify(index));
  const seconds = (performance.now() - started) / 1000;
  return {
    clips: index.clips.length,
    newClips,
    skipped: index.skipped.length,
    resumed,
    seconds,
    clipsPerSecond: seconds > 0 ? newClips / seconds : 0,
  };
}

/** The clips of one source video, or why it was skipped. */
export type SourceResult =
  | { ok: true; clips: { data: Uint8Array; indices: number[]; fps: number }[] }
  | { ok: false; kind: VideoErrorKind; reason: string };

/**
 * Decodes the clips of one source for a cache with `settings`. Clip positions come from a generator seeded by
 * the settings' seed and the path, so every run (and every worker) draws the same clips.
 */
export async function loadSourceClips(path: string, settings: PrepareSettings): Promise<SourceResult> {
  try {
    const random = Random.from(settings.seed, path).source();
    const clips = [];
    for (let draw = 0; draw < settings.clipsPerVideo; draw++) {
      const clipOptions: LoadClipOptions = {
        framesPerClip: settings.framesPerClip,
        targetFps: settings.targetFps ?? undefined,
        size: settings.size,
        channels: settings.channels,
        maskSector: settings.maskSector,
        random,
      };
      const loaded = await loadClip(path, clipOptions);
      clips.push({ data: rowMajorData(loaded.clip), indices: loaded.indices, fps: loaded.fps });
    }
    return { ok: true, clips };
  } catch (error) {
    const failure = asVideoError(path, error);
    return { ok: false, kind: failure.kind, reason: failure.reason };
  }
}

interface WorkerPool {
  run(path: string, settings: PrepareSettings): Promise<SourceResult>;
  close(): void;
}

/** Worker threads running {@link loadSourceClips}; jobs go to the least busy worker. */
function createWorkerPool(size: number): WorkerPool {
  const url = new URL("./clip_cache_worker.ts", import.meta.url);
  interface Slot {
    worker: Worker;
    busy: number;
  }
  const waiting = new Map<number, { resolve: (r: SourceResult) => void; slot: Slot }>();
  const attach = (slot: Slot): void => {
    slot.worker.onmessage = (event: MessageEvent<{ id: number; result: SourceResult }>) => {
      const job = waiting.get(event.data.id);
      if (!job) return;
      waiting.delete(event.data.id);
      slot.busy--;
      job.resolve(event.data.result);
    };
    slot.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      // A crashed worker (out of memory, say) fails its jobs as skips and is replaced, so the build goes on.
      for (const [id, job] of waiting) {
        if (job.slot !== slot) continue;
        waiting.delete(id);
        job.resolve({ ok: false, kind: "corrupt", reason: `decoder worker failed: ${event.message}` });
      }
      slot.busy = 0;
      slot.worker.terminate();
      slot.worker = new Worker(url, { type: "module" });
      attach(slot);
    };
  };
  const slots: Slot[] = Array.from(
    { length: size },
    () => ({ worker: new Worker(url, { type: "module" }), busy: 0 }),
  );
  slots.forEach(attach);
  let nextId = 0;
  return {
    run(path: string, settings: PrepareSettings): Promise<SourceResult> {
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      slot.busy++;
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, { resolve, slot });
        slot.worker.postMessage({ id, path, settings });
      });
    },
    close(): void {
      for (const slot of slots) slot.worker.terminate();
    },
  };
}
