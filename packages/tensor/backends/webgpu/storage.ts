/** The WebGPU backend's storage handle: a pooled `GPUBuffer` and the bytes the front asked for. */

import type { StorageHandle } from "../backend.ts";

/** A handle made by the WebGPU backend. */
export class GpuStorage implements StorageHandle {
  constructor(readonly buffer: GPUBuffer, readonly bytes: number) {}
}

/** The buffer behind a handle this backend made. */
export function gpuBuffer(h: StorageHandle): GPUBuffer {
  return (h as GpuStorage).buffer;
}
