/**
 * The thread pool of the wasm backend: workers over the one shared `WebAssembly.Memory`, fork-join through
 * Atomics on a small shared control block (no messages after start-up: a `postMessage` round trip costs
 * 29–98 µs, an Atomics round trip 0.3 µs while the partner spins). Waiting threads spin for a bounded time
 * ({@link SPIN_MS}; a spinning thread on an oversubscribed machine steals its partner's core) and then park in
 * `Atomics.wait`. Started lazily once, terminated by {@link ThreadPool.dispose}.
 */

import type { ThreadRuntime } from "./runtime.ts";
import { TASKS } from "./tasks.ts";

/** How long a waiting thread spins before it parks. */
export const SPIN_MS = 0.15;
/** Doubles a fork can pass to its task. */
export const PARAM_SLOTS = 64;

/** Control-block slots (Int32Array indices). */
export const CTL = { seq: 0, pending: 1, task: 2, threads: 3, stop: 4, error: 5 } as const;

/** A fork-join pool of `threads − 1` workers plus the calling thread. */
export class ThreadPool {
  readonly #ctl: Int32Array;
  /** The parameter block of the next fork. */
  readonly params: Float64Array;
  readonly #workers: Worker[];
  #disposed = false;

  private constructor(control: SharedArrayBuffer, workers: Worker[], readonly rt: ThreadRuntime) {
    this.#ctl = new Int32Array(control, 0, 16);
    this.params = new Float64Array(control, 64, PARAM_SLOTS);
    this.#workers = workers;
  }

  /** Threads taking part in a fork (workers + the caller). */
  get threads(): number {
    return this.#workers.length + 1;
  }

  /** Starts `threads − 1` workers on `module` over `rt.memory` and waits until each has instantiated it. */
  static async start(rt: ThreadRuntime, module: WebAssembly.Module, threads: number): Promise<ThreadPool> {
    const control = new SharedArrayBuffer(64 + 8 * PARAM_SLOTS);
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let tid = 1; tid < threads; tid++) {
      const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      workers.push(w);
      ready.push(
        new Promise((resolve, reject) => {
          w.onmessage = () => resolve();
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`wasm worker ${tid} failed to start: ${e.message}`));
          };
        }),
      );
      w.postMessage({ module, memory: rt.memory, control, tid });
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new ThreadPool(control, workers, rt);
  }

  /**
   * Runs task `task` (parameters already in {@link params}) on `threads` threads (≤ {@link threads}), this
   * thread taking share 0, and returns when all are done.
   */
  run(task: number, threads = this.threads): void {
    const ctl = this.#ctl;
    const n = Math.min(threads, this.threads);
    if (n <= 1 || this.#disposed) {
      TASKS[task](this.rt, this.params, 0, 1);
      return;
    }
    ctl[CTL.task] = task;
    ctl[CTL.threads] = n;
    Atomics.store(ctl, CTL.pending, n - 1);
    Atomics.add(ctl, CTL.seq, 1);
    Atomics.notify(ctl, CTL.seq);
    let failure: unknown = null;
    try {
      TASKS[task](this.rt, this.params, 0, n);
    } catch (e) {
      failure = e;
    }
    const t0 = performance.now();
    for (;;) {
      const left = Atomics.load(ctl, CTL.pending);
      if (left === 0) break;
      if (performance.now() - t0 > SPIN_MS) Atomics.wait(ctl, CTL.pending, left, 50);
    }
    if (failure) throw failure;
    if (Atomics.exchange(ctl, CTL.error, 0) !== 0) {
      throw new Error(`wasm backend: task ${task} failed in a worker`);
    }
  }

  /** Stops and terminates the workers. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    Atomics.store(this.#ctl, CTL.stop, 1);
    Atomics.add(this.#ctl, CTL.seq, 1);
    Atomics.notify(this.#ctl, CTL.seq);
    for (const w of this.#workers) w.terminate();
  }
}
