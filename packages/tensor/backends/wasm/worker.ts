/**
 * A worker thread of the wasm backend's pool: instantiates the kernel module over the shared memory, says so once,
 * then serves forks from the control block until told to stop (see pool.ts).
 */

import type { KernelExports } from "./kernel_module.ts";
import { CTL, PARAM_SLOTS, SPIN_MS } from "./pool.ts";
import { ThreadRuntime } from "./runtime.ts";
import { TASKS } from "./tasks.ts";

interface Start {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  tid: number;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Start>) => void) | null;
  postMessage(m: unknown): void;
};

scope.onmessage = (e: MessageEvent<Start>) => {
  scope.onmessage = null;
  const { module, memory, control, tid } = e.data;
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const rt = new ThreadRuntime(memory, kernels);
  const ctl = new Int32Array(control, 0, 16);
  const params = new Float64Array(control, 64, PARAM_SLOTS);
  // Read the fork counter before saying ready: the first fork may start as soon as the main thread hears it.
  let seen = Atomics.load(ctl, CTL.seq);
  scope.postMessage("ready");
  for (;;) {
    const t0 = performance.now();
    while (Atomics.load(ctl, CTL.seq) === seen) {
      if (performance.now() - t0 > SPIN_MS) Atomics.wait(ctl, CTL.seq, seen);
    }
    seen = Atomics.load(ctl, CTL.seq);
    if (Atomics.load(ctl, CTL.stop) !== 0) return;
    const threads = ctl[CTL.threads];
    if (tid >= threads) continue;
    try {
      rt.refresh();
      TASKS[ctl[CTL.task]](rt, params, tid, threads);
    } catch (err) {
      Atomics.store(ctl, CTL.error, 1);
      console.error(err);
    }
    if (Atomics.sub(ctl, CTL.pending, 1) === 1) Atomics.notify(ctl, CTL.pending);
  }
};
