/**
 * A pool of worker threads running the clip transforms in parallel, so augmentation keeps up with training on
 * multi-core machines. Jobs carry a seed tuple instead of an `Random`, so results equal the in-thread transform
 * seeded with the same tuple, whichever worker runs them.
 *
 * @module
 */

import type { ProbeInput, ProbeTrainOptions } from "./probe_transform.ts";
import type { Clip, SeedPart } from "@echojepa/core";
import type { ModelInput, TrainTransformOptions } from "./video_transform.ts";

/** One transform to run: which one, on what clip, seeded by which tuple. */
export interface AugmentJob {
  /** `"train"` ({@link trainTransform}), `"eval"` ({@link evalTransform}) or `"probe"` ({@link probeTrainTransform}). */
  kind: "train" | "eval" | "probe";
  /** The clip; its buffer is copied to the worker unless `transfer` is set. */
  clip: Clip;
  /** Seed tuple for `Random.from(...seed)`, e.g. `[clipId, epoch]`. Ignored by `"eval"`. */
  seed: SeedPart[];
  /** Transform options (plain data: no `out` buffer). */
  options?: ProbeTrainOptions & TrainTransformOptions;
  /** Hand the clip's buffer to the worker instead of copying it (the caller's array becomes unusable). */
  transfer?: boolean;
}

interface Pending {
  resolve: (value: ModelInput | ProbeInput) => void;
  reject: (error: Error) => void;
}

/**
 * Runs transforms on `size` worker threads (default: the number of logical CPUs), round-robin.
 *
 * @example
 * ```ts
 * import { AugmentPool } from "@echojepa/augment";
 * import { makeClip } from "@echojepa/core";
 * const pool = new AugmentPool(2);
 * const clip = makeClip(new Uint8Array(16 * 240 * 320), [16, 240, 320]);
 * const inputs = await Promise.all([0, 1, 2, 3].map((i) => pool.run({ kind: "train", clip, seed: ["clip", i] })));
 * console.log(inputs.map((x) => x.shape));
 * pool.close();
 * ```
 */
export class AugmentPool {
  #workers: Worker[];
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #nextWorker = 0;

  /** Starts `size` workers. */
  constructor(size: number = navigator.hardwareConcurrency || 1) {
    if (!(Number.isInteger(size) && size >= 1)) {
      throw new RangeError(`AugmentPool: size must be ≥ 1, got ${size}`);
    }
    const url = new URL("./pool_worker.ts", import.meta.url);
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (event) => this.#settle(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.#failAll(new Error(`AugmentPool: worker crashed: ${event.message}`));
      };
      return worker;
    });
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /** Runs one job on the next worker; resolves with the model input. */
  run(job: AugmentJob): Promise<ModelInput | ProbeInput> {
    if (this.#workers.length === 0) return Promise.reject(new Error("AugmentPool: pool is closed"));
    const id = this.#nextId++;
    const worker = this.#workers[this.#nextWorker];
    this.#nextWorker = (this.#nextWorker + 1) % this.#workers.length;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const { transfer, ...message } = job;
      worker.postMessage({ id, job: message }, transfer ? [job.clip.data.buffer as ArrayBuffer] : []);
    });
  }

  /** Stops the workers; pending jobs are rejected. */
  close(): void {
    this.#workers.forEach((w) => w.terminate());
    this.#workers = [];
    this.#failAll(new Error("AugmentPool: pool closed before the job finished"));
  }

  #settle(message: { id: number; result?: ModelInput | ProbeInput; error?: string }): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error !== undefined) {
      pending.reject(new Error(`AugmentPool job ${message.id}: ${message.error}`));
    } else pending.resolve(message.result!);
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
