/**
 * The thread pool of the wasm backend: workers over the one shared `WebAssembly.Memory`, fork-join through
 * Atomics on a small shared control block (no messages after start-up: a `postMessage` round trip costs
 * 29–98 µs, an Atomics round trip 0.3 µs while the partner spins). Waiting threads spin for a bounded time
 * ({@link SPIN_MS}; a spinning thread on an oversubscribed machine steals its partner's core) and then park in
 * `Atomics.wait`. Started with the backend, parked when idle ({@link IDLE_PARK_MS}) and started again on the next
 * fork, terminated by {@link ThreadPool.dispose}.
 */

import type { ThreadRuntime } from "./runtime.ts";
import { TASKS } from "./tasks.ts";

/** How long a waiting thread spins before it parks. */
export const SPIN_MS = 0.15;
/** Doubles a fork can pass to its task. */
export const PARAM_SLOTS = 64;

/** Control-block slots (Int32Array indices). */
export const CTL = { seq: 0, pending: 1, task: 2, threads: 3, stop: 4, error: 5 } as const;

/**
 * How long the pool may sit unused before its workers are stopped. Live workers keep a Deno process from exiting
 * (the main thread holds a reference to each), so a script that never calls `dispose()` would hang after its
 * last line; parked, it exits at most this long after its last fork. The next fork runs on the calling thread
 * alone while the workers start again (≈ 10–50 ms), then on all of them.
 */
export const IDLE_PARK_MS = 250;

type PoolState = "running" | "starting" | "parked" | "disposed";

/** A fork-join pool of `threads − 1` workers plus the calling thread. */
export class ThreadPool {
  readonly #control: SharedArrayBuffer;
  readonly #ctl: Int32Array;
  /** The parameter block of the next fork. */
  readonly params: Float64Array;
  #workers: Worker[] = [];
  #state: PoolState = "parked";
  #lastFork = 0;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    readonly rt: ThreadRuntime,
    readonly module: WebAssembly.Module,
    /** Threads taking part in a fork when the workers run (workers + the caller). */
    readonly threads: number,
  ) {
    this.#control = new SharedArrayBuffer(64 + 8 * PARAM_SLOTS);
    this.#ctl = new Int32Array(this.#control, 0, 16);
    this.params = new Float64Array(this.#control, 64, PARAM_SLOTS);
  }

  /** Starts `threads − 1` workers on `module` over `rt.memory` and waits until each has instantiated it. */
  static async start(rt: ThreadRuntime, module: WebAssembly.Module, threads: number): Promise<ThreadPool> {
    const pool = new ThreadPool(rt, module, threads);
    await pool.#spawn();
    return pool;
  }

  async #spawn(): Promise<void> {
    this.#state = "starting";
    Atomics.store(this.#ctl, CTL.stop, 0);
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let tid = 1; tid < this.threads; tid++) {
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
      w.postMessage({ module: this.module, memory: this.rt.memory, control: this.#control, tid });
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) w.terminate();
      this.#state = "parked";
      throw e;
    }
    if (this.#state !== "starting") {
      for (const w of workers) w.terminate();
      return;
    }
    this.#workers = workers;
    this.#state = "running";
    this.#lastFork = performance.now();
    this.#watchIdle();
  }

  /** Parks the workers once no fork came for {@link IDLE_PARK_MS}. */
  #watchIdle(): void {
    const left = this.#lastFork + IDLE_PARK_MS - performance.now();
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#state !== "running") return;
      if (performance.now() - this.#lastFork >= IDLE_PARK_MS) this.#stopWorkers("parked");
      else this.#watchIdle();
    }, Math.max(1, left));
  }

  #stopWorkers(next: PoolState): void {
    this.#state = next;
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    Atomics.store(this.#ctl, CTL.stop, 1);
    Atomics.add(this.#ctl, CTL.seq, 1);
    Atomics.notify(this.#ctl, CTL.seq);
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }

  /**
   * Runs task `task` (parameters already in {@link params}) on `threads` threads (≤ {@link threads}), this
   * thread taking share 0, and returns when all are done.
   */
  run(task: number, threads = this.threads): void {
    const ctl = this.#ctl;
    // A restart that fails (workers refused) leaves the pool on this thread for good rather than retrying each fork.
    if (this.#state === "parked") this.#spawn().catch(() => this.#stopWorkers("disposed"));
    const n = this.#state === "running" ? Math.min(threads, this.threads) : 1;
    this.#lastFork = performance.now();
    if (n <= 1) {
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

  /** Stops and terminates the workers for good. */
  dispose(): void {
    if (this.#state === "disposed") return;
    this.#stopWorkers("disposed");
  }
}
