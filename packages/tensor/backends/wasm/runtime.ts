/**
 * What a thread of the wasm backend works with: the one `WebAssembly.Memory`, typed views of it, and this thread's
 * instance of the kernel module. The main thread and every worker hold one; views are re-created when the memory
 * has grown (old views keep their old length).
 */

import type { KernelExports } from "./kernel_module.ts";

/** Memory views and kernel exports of one thread. */
export class ThreadRuntime {
  /** f32 view of the whole memory. */
  f32!: Float32Array;
  /** i32 view of the whole memory. */
  i32!: Int32Array;
  /** u32 view of the whole memory. */
  u32!: Uint32Array;
  /** byte view of the whole memory. */
  u8!: Uint8Array;
  #viewBytes = -1;

  constructor(readonly memory: WebAssembly.Memory, readonly kernels: KernelExports) {
    this.refresh();
  }

  /** Re-creates the views if the memory grew since they were made. */
  refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer.byteLength === this.#viewBytes) return;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.#viewBytes = buffer.byteLength;
  }
}
