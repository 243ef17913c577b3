/**
 * Renders clips on worker threads. Each clip depends only on its seed/spec, so results are identical to
 * in-thread rendering whatever the number of workers or the order in which they finish.
 */

import { reviveClip } from "@echojepa/core";
import type { ClipOptions, RenderedClip } from "./clip.ts";
import type { ClipSpec, DatasetOptions, SplitDataset } from "./dataset.ts";
import { clipOptionsOf, generateDatasetSync, planDataset } from "./dataset.ts";

/** A message to a clip worker. */
export interface ClipRequest {
  id: number;
  spec?: ClipSpec;
  seed?: number;
  options: ClipOptions;
}

interface ClipReply {
  id: number;
  clip?: RenderedClip;
  error?: string;
}

/** A pool of clip-rendering workers. Call {@linkcode PhantomWorkerPool.close} when done. */
export class PhantomWorkerPool {
  #workers: Worker[] = [];
  #idle: Worker[] = [];
  #queue: { req: ClipRequest; resolve: (c: RenderedClip) => void; reject: (e: Error) => void }[] = [];
  #pending = new Map<
    number,
    { resolve: (c: RenderedClip) => void; reject: (e: Error) => void; worker: Worker }
  >();
  #nextId = 0;

  /** Starts `size` workers (default: `navigator.hardwareConcurrency`). */
  constructor(size: number = navigator.hardwareConcurrency ?? 2) {
    if (!(Number.isInteger(size) && size >= 1)) {
      throw new Error(`PhantomWorkerPool: size must be ≥ 1, got ${size}`);
    }
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL("./clip_worker.ts", import.meta.url).href, { type: "module" });
      w.onmessage = (e: MessageEvent<ClipReply>) => this.#onReply(w, e.data);
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        for (const [id, p] of this.#pending) {
          if (p.worker !== w) continue;
          this.#pending.delete(id);
          p.reject(
            new Error(
              `PhantomWorkerPool: worker failed: ${e.message} (workers need --allow-read to load their module; or use workers: 1)`,
            ),
          );
        }
      };
      this.#workers.push(w);
      this.#idle.push(w);
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** Renders a planned clip (see `planDataset`). */
  renderSpec(spec: ClipSpec, options: ClipOptions = {}): Promise<RenderedClip> {
    return this.#submit({ id: this.#nextId++, spec, options });
  }

  /** Same as `generateClip(seed, options)`, on a worker. */
  generateClip(seed: number, options: ClipOptions = {}): Promise<RenderedClip> {
    return this.#submit({ id: this.#nextId++, seed, options });
  }

  /** Stops all workers; pending requests are rejected. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("PhantomWorkerPool: closed"));
    for (const q of this.#queue) q.reject(new Error("PhantomWorkerPool: closed"));
    this.#workers = [];
    this.#idle = [];
    this.#queue = [];
    this.#pending.clear();
  }

  #submit(req: ClipRequest): Promise<RenderedClip> {
    if (this.#workers.length === 0) return Promise.reject(new Error("PhantomWorkerPool: already closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const w = this.#idle.pop()!;
      const job = this.#queue.shift()!;
      this.#pending.set(job.req.id, { resolve: job.resolve, reject: job.reject, worker: w });
      w.postMessage(job.req);
    }
  }

  #onReply(w: Worker, reply: ClipReply): void {
    const p = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    this.#idle.push(w);
    if (p) {
      // Structured cloning keeps the frames' fields but not their ndarray prototype.
      if (reply.clip) {
        p.resolve({ ...reply.clip, frames: reviveClip(reply.clip.frames, "PhantomWorkerPool") });
      } else p.reject(new Error(`PhantomWorkerPool: ${reply.error ?? "no clip returned"}`));
    }
    this.#pump();
  }
}

/**
 * Renders a whole split data set on worker threads (or in this thread when `workers` is 1). Clips come back in
 * plan order within each split, identical to `generateDatasetSync`.
 */
export async function generateDataset(options: DatasetOptions): Promise<SplitDataset> {
  const workers = options.workers ?? navigator.hardwareConcurrency ?? 2;
  if (workers <= 1) return generateDatasetSync(options);
  const specs = planDataset(options);
  const clipOptions = clipOptionsOf(options);
  const pool = new PhantomWorkerPool(Math.min(workers, specs.length));
  try {
    let done = 0;
    const clips = await Promise.all(specs.map(async (spec) => {
      const clip = await pool.renderSpec(spec, clipOptions);
      options.onProgress?.(++done, specs.length);
      return clip;
    }));
    const out: SplitDataset = { train: [], val: [], test: [] };
    specs.forEach((spec, i) => out[spec.split].push(clips[i]));
    return out;
  } finally {
    pool.close();
  }
}
