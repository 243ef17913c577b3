/**
 * Pretraining data: clip sources (the synthetic phantom, or videos listed in a manifest) and the batch builder that
 * samples clips, applies the pretraining transform and stacks them into `[B, 3, T, H, W]`.
 *
 * Every batch is a pure function of `(seed, step)`: which clips, which frames and which crop all come from streams
 * derived from them. A resumed run therefore sees exactly the batches an uninterrupted run would, and batches can be
 * prepared ahead of time (see {@link BatchLoader}) without changing what they contain.
 *
 * @module
 */

import { trainTransform } from "@echojepa/augment";
import { type Clip, deriveSeed, Random } from "@echojepa/core";
import { generateClip, type NuisanceLevel } from "@echojepa/phantom";
import { asVideoError, loadManifest, openVideo, sampleClipIndices, type SkippedFile } from "@echojepa/video";
import type { DataConfig } from "./config.ts";

/** A set of clips that can be read by index. */
export interface ClipSource {
  /** Number of clips; `Infinity` for a stream, whose step s takes clips s·B … s·B + B − 1 (every one new). */
  readonly size: number;
  /** A human-readable description for logs. */
  readonly description: string;
  /**
   * Reads clip `index` as grey or RGB frames; `rng` chooses the frames where the video is longer than a clip.
   * A source that skips unreadable files (substituting another clip) appends each one to `skipped`.
   */
  load(index: number, rng: Random, skipped?: SkippedFile[]): Promise<Clip>;
}

/**
 * Synthetic echo clips from `@echojepa/phantom`. Clips are rendered 25% larger than the crop so the random resized
 * crop has room to move. A pool (`clips` distinct clips) is rendered on first use and kept in memory; a stream
 * (`stream: true`) renders every requested index afresh and keeps nothing, and its `size` is infinite (see
 * {@link buildBatch}).
 */
export function phantomSource(
  { clips, frames, cropSize, seed, fps = null, stream = false, speckleStrength = 1, nuisance = "full" }: {
    clips: number;
    frames: number;
    cropSize: number;
    seed: number;
    /** Fixed frame rate, or null for the phantom's random one. */
    fps?: number | null;
    /** A fresh clip for every index, nothing cached (default false: a pool of `clips`). */
    stream?: boolean;
    /** The phantom's speckle strength (default 1). */
    speckleStrength?: number;
    /** The spread of the acquisition nuisances (default "full"). */
    nuisance?: NuisanceLevel;
  },
): ClipSource {
  const side = Math.max(16, Math.round(cropSize * 1.25));
  const cache = new Map<number, Clip>();
  const render = (index: number): Clip => {
    const c = generateClip(deriveSeed(seed, "phantom-clip", index), {
      frames,
      height: side,
      width: side,
      acquisition: fps ? { fps } : undefined,
      speckleStrength,
      nuisance,
    });
    return c.frames;
  };
  const what = `${frames} frames${fps ? ` at ${fps} fps` : ""}, ${side}×${side} px${
    speckleStrength === 1 ? "" : `, speckle ×${speckleStrength}`
  }${nuisance === "full" ? "" : `, ${nuisance} nuisances`}`;
  return {
    size: stream ? Infinity : clips,
    description: stream
      ? `phantom stream (a fresh synthetic clip every sample, ${what})`
      : `phantom (${clips} synthetic clips, ${what})`,
    load(index: number): Promise<Clip> {
      if (stream) return Promise.resolve(render(index));
      let clip = cache.get(index);
      if (!clip) {
        clip = render(index);
        cache.set(index, clip);
      }
      return Promise.resolve(clip);
    },
  };
}

/** Files tried in a row before a batch gives up (each failure is skipped and counted). */
const MAX_SUBSTITUTES = 16;

/**
 * Videos listed in a manifest (any format `@echojepa/video` reads; the first view of each row is used). A file that
 * cannot be read is skipped and another clip, drawn from `rng`, takes its place (as the reference loader does), so
 * batches stay a pure function of `(seed, step)`; each skip is appended to the `skipped` list `load` is given.
 */
export async function manifestSource(
  path: string,
  { frames, frameStep }: { frames: number; frameStep: number },
): Promise<ClipSource> {
  const entries = await loadManifest(path);
  const paths = entries.map((e) => e.paths.find((p) => p !== null)).filter((p): p is string => !!p);
  if (paths.length === 0) throw new Error(`manifestSource: ${path} lists no videos`);
  const readOne = async (file: string, rng: Random): Promise<Clip> => {
    const video = await openVideo(file);
    try {
      const indices = sampleClipIndices(video.frameCount, {
        framesPerClip: frames,
        frameStep,
        random: () => rng.next(),
      });
      return await video.readFrames(indices);
    } finally {
      video.close();
    }
  };
  return {
    size: paths.length,
    description: `manifest ${path} (${paths.length} videos, ${frames} frames, step ${frameStep})`,
    async load(index: number, rng: Random, skipped?: SkippedFile[]): Promise<Clip> {
      let current = index;
      let last = "";
      for (let attempt = 0; attempt < MAX_SUBSTITUTES; attempt++) {
        const file = paths[current];
        try {
          // The first try uses `rng` itself, so runs without bad files sample exactly as before.
          return await readOne(file, attempt === 0 ? rng : rng.fork(`try-${attempt}`));
        } catch (error) {
          const e = asVideoError(file, error);
          skipped?.push({ file, kind: e.kind, reason: e.reason });
          last = e.message;
        }
        current = rng.fork(`substitute-${attempt}`).int(0, paths.length - 1);
      }
      throw new Error(`${MAX_SUBSTITUTES} files in a row could not be read (last: ${last})`);
    },
  };
}

/** The clip source a data config describes. */
export function sourceFromConfig(data: DataConfig, seed: number): Promise<ClipSource> {
  if (data.source === "phantom") {
    return Promise.resolve(
      phantomSource({
        clips: data.phantomClips,
        frames: data.frames,
        cropSize: data.cropSize,
        seed,
        fps: data.phantomFps,
        stream: data.phantomStream,
        speckleStrength: data.phantomSpeckle,
        nuisance: data.phantomNuisance,
      }),
    );
  }
  if (!data.path) {
    throw new Error('data.source "manifest" needs data.path (a manifest file; CLI: --data-path FILE)');
  }
  return manifestSource(data.path, { frames: data.frames, frameStep: data.frameStep });
}

/** One training batch on the host. */
export interface HostBatch {
  /** Normalised clips, `[B, 3, T, H, W]` row-major. */
  data: Float32Array;
  /** `[B, 3, T, H, W]`. */
  shape: [number, number, number, number, number];
  /** The clip index of each sample. */
  clipIndices: number[];
  /** Files skipped (unreadable) while building this batch; another clip took each one's place. */
  skipped: SkippedFile[];
}

/**
 * Builds the batch of training step `step`: clips drawn with replacement (from a stream: the step's own new clips),
 * each with its own random crop.
 */
export async function buildBatch(
  source: ClipSource,
  data: DataConfig,
  batchSize: number,
  seed: number,
  step: number,
): Promise<HostBatch> {
  const pick = Random.from(seed, "batch", step);
  const clipIndices = Array.from(
    { length: batchSize },
    (_, b) => Number.isFinite(source.size) ? pick.int(0, source.size - 1) : step * batchSize + b,
  );
  const skippedBySample: SkippedFile[][] = clipIndices.map(() => []);
  const inputs = await Promise.all(clipIndices.map(async (ci, b) => {
    const rng = Random.from(seed, "sample", step, b);
    const clip = await source.load(ci, rng.fork("frames"), skippedBySample[b]);
    const input = trainTransform(clip, rng.fork("crop"), {
      cropSize: data.cropSize,
      cropRange: { scale: data.cropScale, aspectRatio: data.cropAspect },
      horizontalFlipProbability: data.horizontalFlipProbability,
      outputChannels: 3,
    });
    if (input.shape[1] !== data.frames) {
      throw new Error(`buildBatch: clip ${ci} has ${input.shape[1]} frames, expected ${data.frames}`);
    }
    return input;
  }));
  const [C, T, H, W] = inputs[0].shape;
  const per = C * T * H * W;
  const out = new Float32Array(batchSize * per);
  inputs.forEach((x, b) => out.set(x.data, b * per));
  return { data: out, shape: [batchSize, C, T, H, W], clipIndices, skipped: skippedBySample.flat() };
}

/** Something that hands out the batch of each training step. */
export interface BatchProvider {
  /** The batch of `step` (and a hint that the next steps will follow). */
  get(step: number): Promise<HostBatch>;
  /** Releases resources (workers). */
  close(): void;
}

/**
 * Prepares batches ahead of the training loop on the main thread: while step `s` trains, the next steps are being
 * built, so clip decoding and augmentation overlap GPU work (the GPU runs asynchronously once a step is
 * submitted). Works with any {@link ClipSource}.
 */
export class BatchLoader implements BatchProvider {
  #pending = new Map<number, Promise<HostBatch>>();

  constructor(
    readonly source: ClipSource,
    readonly data: DataConfig,
    readonly batchSize: number,
    readonly seed: number,
    readonly prefetch: number = 2,
  ) {}

  /** The batch of `step`; also starts building the next `prefetch` batches. */
  get(step: number): Promise<HostBatch> {
    for (let s = step; s <= step + this.prefetch; s++) {
      if (this.#pending.has(s)) continue;
      const batch = buildBatch(this.source, this.data, this.batchSize, this.seed, s);
      // A prefetched batch that fails is reported when its step awaits it, not as an unhandled rejection.
      batch.catch(() => {});
      this.#pending.set(s, batch);
    }
    const batch = this.#pending.get(step)!;
    this.#pending.delete(step);
    for (const s of this.#pending.keys()) if (s < step) this.#pending.delete(s);
    return batch;
  }

  /** Nothing to release. */
  close(): void {}
}

/**
 * Builds batches in background workers (`data.workers` of them), each rebuilding the config's clip source, so
 * clip decoding, phantom rendering and augmentation run off the main thread. Step `s` goes to worker
 * `s mod workers`; the batches are identical to {@link buildBatch}'s.
 */
export class WorkerBatchLoader implements BatchProvider {
  #workers: Worker[];
  /** Batches requested and not yet handed out by `get`. */
  #promises = new Map<number, Promise<HostBatch>>();
  /** Settlers of batches the workers have not answered yet. */
  #waiting = new Map<number, { resolve: (b: HostBatch) => void; reject: (e: Error) => void }>();

  constructor(
    data: DataConfig,
    batchSize: number,
    seed: number,
    workers: number,
    readonly prefetch: number = workers,
  ) {
    if (!(workers >= 1)) throw new RangeError(`WorkerBatchLoader: needs at least one worker, got ${workers}`);
    this.#workers = Array.from({ length: workers }, () => {
      const w = new Worker(new URL("./batch_worker.ts", import.meta.url).href, { type: "module" });
      w.onmessage = (e: MessageEvent) => this.#receive(e.data);
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        this.#failAll(new Error(`batch worker failed: ${e.message}`));
      };
      w.postMessage({ type: "init", data, seed, batchSize });
      return w;
    });
  }

  #receive(
    msg: { type: "batch"; step: number } & HostBatch | { type: "error"; step: number; message: string },
  ): void {
    const w = this.#waiting.get(msg.step);
    if (!w) return;
    this.#waiting.delete(msg.step);
    if (msg.type === "error") w.reject(new Error(`batch ${msg.step}: ${msg.message}`));
    else w.resolve({ data: msg.data, shape: msg.shape, clipIndices: msg.clipIndices, skipped: msg.skipped });
  }

  #failAll(e: Error): void {
    for (const w of this.#waiting.values()) w.reject(e);
    this.#waiting.clear();
  }

  #request(step: number): void {
    if (this.#promises.has(step) || this.#waiting.has(step)) return;
    const promise = new Promise<HostBatch>((resolve, reject) => this.#waiting.set(step, { resolve, reject }));
    // A prefetched batch that fails is reported when its step asks for it, not as an unhandled rejection.
    promise.catch(() => {});
    this.#promises.set(step, promise);
    this.#workers[step % this.#workers.length].postMessage({ type: "build", step });
  }

  /** The batch of `step`; also requests the next `prefetch` batches. */
  get(step: number): Promise<HostBatch> {
    for (let s = step; s <= step + this.prefetch; s++) this.#request(s);
    const p = this.#promises.get(step)!;
    this.#promises.delete(step);
    for (const s of this.#promises.keys()) if (s < step) this.#promises.delete(s);
    return p;
  }

  /** Terminates the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#failAll(new Error("WorkerBatchLoader closed"));
    this.#promises.clear();
  }
}
