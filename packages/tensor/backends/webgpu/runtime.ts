/**
 * The WebGPU runtime: the device, its buffer pool, pipeline cache and command batching, shared by every kernel
 * family of the WebGPU backend.
 *
 * Its contract is small (after jax-js): allocate and release buffers, upload, read, and dispatch a WGSL kernel.
 * - Buffers come from a pool of size classes (four per octave, so at most 25% slack) and go back to it on release.
 *   A released buffer may still be read by dispatches that are recorded but not yet submitted; that is safe because
 *   every later use of the buffer is also recorded into the queue after them (uploads go through the same command
 *   encoder, never through `queue.writeBuffer`).
 * - Dispatches are recorded into one compute pass and submitted together: at a read, when the uniform ring is full,
 *   or every `maxDispatchesPerSubmit` dispatches.
 * - Each dispatch's parameters (shapes, strides, scalars) live in one slot of a uniform ring buffer, written with a
 *   single `queue.writeBuffer` just before the submit and bound with a dynamic offset. Kernels therefore need not be
 *   recompiled for new shapes; pipelines are cached by their WGSL source.
 * - Reads are asynchronous and coalesced: every `read()` issued in the same tick shares one submit and the maps
 *   overlap (each map costs ≥10 ms in Deno).
 */

import type { MemoryStats } from "../backend.ts";
import type { DeviceInfo } from "./device.ts";

/** Bytes of one uniform slot (the minimum dynamic-offset alignment WebGPU guarantees). */
const UNIFORM_SLOT = 256;
const UNIFORM_SLOTS = 1024;

/** Parameters passed to a kernel: 32-bit words (use {@link f32Bits} for floats). */
export type KernelParams = ArrayLike<number>;

/** Reinterprets a float as the u32 word that stores it, for kernel parameters. */
export function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0];
}
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Rounds a byte count up to its pool size class. */
function sizeClass(bytes: number): number {
  const b = Math.max(bytes, 16);
  const octave = 2 ** Math.floor(Math.log2(b));
  const step = Math.max(octave / 4, 16);
  return Math.ceil(b / step) * step;
}

interface PendingRead {
  buffer: GPUBuffer;
  offset: number;
  bytes: number;
  resolve: (data: ArrayBuffer) => void;
  reject: (e: unknown) => void;
}

/** A GPU device plus the pool, pipeline cache and command batching the kernels share. */
export class GpuRuntime {
  readonly device: GPUDevice;
  readonly info: DeviceInfo;
  /** Submit after this many recorded dispatches even without a read. */
  maxDispatchesPerSubmit = 256;
  /** When set, every dispatched kernel's name is counted here (for profiling and tests). */
  dispatchCounts: Map<string, number> | null = null;

  #pool = new Map<number, GPUBuffer[]>();
  #pooledBytes = 0;
  #liveBytes = 0;
  #liveBuffers = 0;
  #peakBytes = 0;
  #pipelines = new Map<string, GPUComputePipeline>();
  #layouts = new Map<number, GPUBindGroupLayout>();
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #uniform: GPUBuffer;
  #uniformData = new Uint32Array((UNIFORM_SLOT * UNIFORM_SLOTS) / 4);
  #uniformUsed = 0;
  #dispatches = 0;
  #staging: GPUBuffer[] = [];
  #pendingReads: PendingRead[] = [];
  #lost: string | null = null;
  #error: string | null = null;

  constructor(device: GPUDevice, info: DeviceInfo) {
    this.device = device;
    this.info = info;
    this.#uniform = device.createBuffer({
      size: UNIFORM_SLOT * UNIFORM_SLOTS,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: "kernel-params",
    });
    device.lost.then((i) => {
      this.#lost = `${i.reason}: ${i.message}`;
    });
    device.addEventListener("uncapturederror", (e) => {
      this.#error ??= (e as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** Throws if the device was lost or an earlier GPU call failed validation. */
  check(op: string): void {
    if (this.#lost !== null) throw new Error(`${op}: the WebGPU device was lost (${this.#lost})`);
    if (this.#error !== null) {
      const e = this.#error;
      this.#error = null;
      throw new Error(`${op}: an earlier GPU operation failed: ${e}`);
    }
  }

  // ---------------------------------------------------------------- memory

  /** Takes a storage buffer of at least `bytes` bytes from the pool, or creates one. Contents are undefined. */
  alloc(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    if (size > this.info.maxStorageBufferBindingSize) {
      throw new RangeError(
        `alloc: ${bytes} bytes exceed this device's largest storage binding (${this.info.maxStorageBufferBindingSize})`,
      );
    }
    const free = this.#pool.get(size);
    let buf = free?.pop();
    if (buf) {
      this.#pooledBytes -= size;
    } else {
      buf = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
    }
    this.#liveBytes += size;
    this.#liveBuffers++;
    if (this.#liveBytes > this.#peakBytes) this.#peakBytes = this.#liveBytes;
    return buf;
  }

  /** Returns a buffer to the pool. */
  release(buf: GPUBuffer): void {
    const size = buf.size;
    this.#liveBytes -= size;
    this.#liveBuffers--;
    this.#pooledBytes += size;
    let list = this.#pool.get(size);
    if (!list) this.#pool.set(size, list = []);
    list.push(buf);
  }

  /** Destroys every pooled buffer (after finishing queued work). */
  async trimPool(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    for (const list of this.#pool.values()) for (const b of list) b.destroy();
    this.#pool.clear();
    this.#pooledBytes = 0;
  }

  /** Current memory counters. */
  memoryStats(): MemoryStats {
    return {
      liveBytes: this.#liveBytes,
      pooledBytes: this.#pooledBytes,
      peakBytes: this.#peakBytes,
      liveBuffers: this.#liveBuffers,
    };
  }

  /** Restarts peak tracking from the current live bytes. */
  resetPeak(): void {
    this.#peakBytes = this.#liveBytes;
  }

  // ---------------------------------------------------------------- commands

  #passEncoder(): GPUComputePassEncoder {
    if (!this.#encoder) this.#encoder = this.device.createCommandEncoder();
    if (!this.#pass) this.#pass = this.#encoder.beginComputePass();
    return this.#pass;
  }

  #copyEncoder(): GPUCommandEncoder {
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
    if (!this.#encoder) this.#encoder = this.device.createCommandEncoder();
    return this.#encoder;
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.#encoder) return;
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
    if (this.#uniformUsed > 0) {
      this.device.queue.writeBuffer(
        this.#uniform,
        0,
        this.#uniformData,
        0,
        (this.#uniformUsed * UNIFORM_SLOT) / 4,
      );
    }
    this.device.queue.submit([this.#encoder.finish()]);
    this.#encoder = null;
    this.#uniformUsed = 0;
    this.#dispatches = 0;
    for (const s of this.#staging) s.destroy();
    this.#staging = [];
  }

  /** Copies host data into `dst` at `dstOffset` bytes, ordered after every dispatch recorded so far. */
  upload(dst: GPUBuffer, data: ArrayBufferView, dstOffset = 0): void {
    const bytes = data.byteLength;
    if (bytes === 0) return;
    const padded = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({
      size: padded,
      usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(staging.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
    staging.unmap();
    this.#copyEncoder().copyBufferToBuffer(staging, 0, dst, dstOffset, padded);
    this.#staging.push(staging);
  }

  /** Copies `bytes` bytes between GPU buffers, ordered with the dispatches. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes > 0) this.#copyEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /**
   * Reads `bytes` bytes of `buffer` back to the host. Reads issued in the same tick share one submit.
   */
  read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    return new Promise((resolve, reject) => {
      if (this.#pendingReads.length === 0) queueMicrotask(() => this.#flushReads());
      this.#pendingReads.push({ buffer, offset, bytes, resolve, reject });
    });
  }

  async #flushReads(): Promise<void> {
    const reads = this.#pendingReads;
    this.#pendingReads = [];
    const total = reads.reduce((s, r) => s + Math.ceil(r.bytes / 4) * 4, 0);
    const staging = this.device.createBuffer({
      size: Math.max(total, 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const enc = this.#copyEncoder();
    let at = 0;
    const offsets: number[] = [];
    for (const r of reads) {
      const n = Math.ceil(r.bytes / 4) * 4;
      offsets.push(at);
      if (n > 0) enc.copyBufferToBuffer(r.buffer, r.offset, staging, at, n);
      at += n;
    }
    try {
      this.flush();
      await staging.mapAsync(GPUMapMode.READ);
      const all = staging.getMappedRange().slice(0);
      staging.unmap();
      staging.destroy();
      this.check("read");
      reads.forEach((r, i) => r.resolve(all.slice(offsets[i], offsets[i] + r.bytes)));
    } catch (e) {
      for (const r of reads) r.reject(e);
    }
  }

  /** Waits until the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.check("sync");
  }

  // ---------------------------------------------------------------- kernels

  #layout(inputs: number, outputs: number): GPUBindGroupLayout {
    const key = inputs * 64 + outputs;
    let layout = this.#layouts.get(key);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [{
        binding: 0,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: UNIFORM_SLOT },
      }];
      for (let i = 0; i < inputs + outputs; i++) {
        entries.push({
          binding: i + 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: i < inputs ? "read-only-storage" : "storage" },
        });
      }
      layout = this.device.createBindGroupLayout({ entries });
      this.#layouts.set(key, layout);
    }
    return layout;
  }

  /** Returns the cached pipeline for a WGSL source, compiling it on first use. */
  pipeline(name: string, code: string, inputs: number, outputs: number): GPUComputePipeline {
    const key = `${inputs}|${outputs}|${code}`;
    let p = this.#pipelines.get(key);
    if (!p) {
      this.device.pushErrorScope("validation");
      const module = this.device.createShaderModule({ code, label: name });
      p = this.device.createComputePipeline({
        label: name,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.#layout(inputs, outputs)] }),
        compute: { module, entryPoint: "main" },
      });
      this.device.popErrorScope().then((err) => {
        if (err) this.#error ??= `kernel "${name}" failed to compile: ${err.message}\n${numbered(code)}`;
      });
      if (DEBUG_WGSL) console.error(`// kernel ${name}\n${code}`);
      this.#pipelines.set(key, p);
    }
    return p;
  }

  /** Number of distinct compiled pipelines. */
  get pipelineCount(): number {
    return this.#pipelines.size;
  }

  /**
   * Records one kernel dispatch.
   *
   * The WGSL must declare `@group(0) @binding(0) var<uniform> p: Params;` (at most 256 bytes, filled from `params`),
   * then `inputs` as `var<storage, read>` at bindings 1…i and `outputs` as `var<storage, read_write>` after them,
   * with an entry point `main`. A buffer must not be both an input and an output of one dispatch.
   */
  dispatch(
    name: string,
    code: string,
    inputs: GPUBuffer[],
    outputs: GPUBuffer[],
    params: KernelParams,
    workgroups: [number, number?, number?],
  ): void {
    this.check(name);
    if (params.length * 4 > UNIFORM_SLOT) {
      throw new Error(`${name}: ${params.length} parameter words exceed 64`);
    }
    const [x, y = 1, z = 1] = workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const limit = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > limit || y > limit || z > limit) {
      throw new RangeError(`${name}: dispatch ${x}×${y}×${z} exceeds ${limit} workgroups per dimension`);
    }
    if (this.#uniformUsed === UNIFORM_SLOTS) this.flush();
    const pipeline = this.pipeline(name, code, inputs.length, outputs.length);
    const buffers = [...inputs, ...outputs];
    const slot = this.#uniformUsed++;
    this.#uniformData.set(params as ArrayLike<number>, (slot * UNIFORM_SLOT) / 4);
    const entries: GPUBindGroupEntry[] = [{
      binding: 0,
      resource: { buffer: this.#uniform, size: UNIFORM_SLOT },
    }];
    buffers.forEach((b, i) => entries.push({ binding: i + 1, resource: { buffer: b } }));
    const bindGroup = this.device.createBindGroup({
      layout: this.#layout(inputs.length, outputs.length),
      entries,
    });
    const pass = this.#passEncoder();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup, [slot * UNIFORM_SLOT]);
    pass.dispatchWorkgroups(x, y, z);
    if (this.dispatchCounts) this.dispatchCounts.set(name, (this.dispatchCounts.get(name) ?? 0) + 1);
    if (++this.#dispatches >= this.maxDispatchesPerSubmit) this.flush();
  }
}

/** `ECHOJEPA_DEBUG_WGSL=1` prints every compiled kernel; absent without env permission or outside Deno. */
const DEBUG_WGSL = (() => {
  try {
    const deno = (globalThis as { Deno?: { env: { get(k: string): string | undefined } } }).Deno;
    return Boolean(deno?.env.get("ECHOJEPA_DEBUG_WGSL"));
  } catch {
    return false;
  }
})();

function numbered(code: string): string {
  return code.split("\n").map((l, i) => `${String(i + 1).padStart(4)}| ${l}`).join("\n");
}

/**
 * Splits `n` invocations of a 1-D kernel with `workgroupSize` threads into a 2-D grid that respects the
 * 65535-workgroups-per-dimension limit. Kernels recover the flat index as `gid.x + gid.y * nwg.x * workgroupSize`
 * (`gid` the global invocation id, `nwg` the number of workgroups).
 */
export function grid1d(n: number, workgroupSize = 256): [number, number] {
  const groups = Math.ceil(n / workgroupSize);
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}
