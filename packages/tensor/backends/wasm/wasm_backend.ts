/**
 * The WebAssembly backend: the contract of `../backend.ts` on one `WebAssembly.Memory` (shared when
 * `SharedArrayBuffer` is available, so a pool of workers can split the heavy kernels), with tensor storage from a
 * size-class {@link Heap} inside it. Matrix products and attention run on SIMD128 kernels generated at start-up
 * (kernel_module.ts); the other kernels are JavaScript loops over the memory's views. Execution is eager: every
 * call has finished when it returns, so `read` and `sync` never wait and released memory is reusable at once.
 */

import type {
  Backend,
  BackendFactory,
  BackendInfo,
  BackendLimits,
  KernelCatalogue,
  MemoryStats,
  StorageHandle,
} from "../backend.ts";
import { attentionScratchBytes, encodeAttention } from "./attention.ts";
import {
  runConcatPart,
  runDropout,
  runGather,
  runRopeGather,
  runRopeScatter,
  runScatterAdd,
} from "./data_kernels.ts";
import { runElementwise, vectorCallOf } from "./elementwise.ts";
import { computeItems, gemmCompute, gemmPack, type GemmSpec, packItems, planGemm } from "./gemm.ts";
import { Heap, type HeapBlock } from "./heap.ts";
import { hasRelaxedSimd, hasSimd, type KernelExports, kernelModuleBytes } from "./kernel_module.ts";
import { runAdamW, runEma, runGlobalNorm, runScale, runSgd } from "./param_update.ts";
import { ThreadPool } from "./pool.ts";
import {
  runLayerNorm,
  runLayerNormBackward,
  runReduce,
  runSoftmax,
  runSoftmaxBackward,
} from "./row_kernels.ts";
import { ThreadRuntime } from "./runtime.ts";
import { encodeGemm, geluRange, TASK, TASKS } from "./tasks.ts";

/** A handle of the wasm backend: a heap block. */
class WasmStorage implements StorageHandle {
  constructor(readonly bytes: number, readonly block: HeapBlock) {}
}

const ptr = (h: StorageHandle): number => (h as WasmStorage).block.ptr;
const at = (h: StorageHandle): number => (h as WasmStorage).block.ptr >> 2;

/** Floating-point operations below which a product runs on one thread (≈ 50 µs of work). */
export const SPLIT_FLOPS = 2e6;
/** Vector-math calls under this many elements (≈ 50 µs at ≈ 4 ns each) stay on one thread. */
export const SPLIT_ELEMENTS = 16384;
/** Bytes below the heap: a zero page the kernels may read. */
const RESERVED = 65536;

/** The WebAssembly implementation of {@link Backend}. */
export class WasmBackend implements Backend {
  readonly info: BackendInfo;
  readonly limits: BackendLimits = { maxAllocationBytes: 2 ** 31, attentionHeadDimMultiple: 1 };
  kernelCounts: Map<string, number> | null = null;
  readonly #rt: ThreadRuntime;
  readonly #heap: Heap;
  readonly #pool: ThreadPool | null;
  #peak = 0;

  constructor(rt: ThreadRuntime, pool: ThreadPool | null, relaxed: boolean) {
    this.#rt = rt;
    this.#heap = new Heap(rt.memory, RESERVED);
    this.#pool = pool;
    const threads = pool?.threads ?? 1;
    this.info = {
      name: "wasm",
      device: `WebAssembly SIMD128${relaxed ? " (relaxed FMA)" : ""}`,
      software: true,
      threads,
    };
  }

  /** Threads forks use. */
  get threads(): number {
    return this.#pool?.threads ?? 1;
  }

  #count(name: string): void {
    if (this.kernelCounts) this.kernelCounts.set(name, (this.kernelCounts.get(name) ?? 0) + 1);
  }

  // ---------------------------------------------------------------- memory

  alloc(bytes: number): StorageHandle {
    const block = this.#heap.alloc(Math.max(bytes, 4));
    this.#rt.refresh();
    this.#peak = Math.max(this.#peak, this.#heap.liveBytes);
    return new WasmStorage(bytes, block);
  }
  release(handle: StorageHandle): void {
    this.#heap.free((handle as WasmStorage).block);
  }
  upload(dst: StorageHandle, data: ArrayBufferView, dstOffset = 0): void {
    this.#rt.u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr(dst) + dstOffset);
  }
  copy(src: StorageHandle, srcOffset: number, dst: StorageHandle, dstOffset: number, bytes: number): void {
    const s = ptr(src) + srcOffset;
    this.#rt.u8.copyWithin(ptr(dst) + dstOffset, s, s + bytes);
  }
  read(src: StorageHandle, bytes: number, offset = 0): Promise<ArrayBuffer> {
    const s = ptr(src) + offset;
    return Promise.resolve(this.#rt.u8.slice(s, s + bytes).buffer);
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  memoryStats(): MemoryStats {
    const h = this.#heap;
    return {
      liveBytes: h.liveBytes,
      pooledBytes: h.pooledBytes,
      peakBytes: this.#peak,
      liveBuffers: h.liveBlocks,
    };
  }
  resetPeak(): void {
    this.#peak = this.#heap.liveBytes;
  }
  trim(): Promise<void> {
    this.#heap.trim();
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    this.#pool?.dispose();
    return Promise.resolve();
  }

  /** Scratch memory for one call, freed by the caller. */
  #scratch(bytes: number): HeapBlock {
    const b = this.#heap.alloc(bytes + 64);
    this.#rt.refresh();
    return b;
  }

  // ---------------------------------------------------------------- kernels

  /** A product on byte addresses, split over the pool when large (also used by benchmarks). */
  gemm(spec: GemmSpec): void {
    const plan = planGemm(spec, 0);
    const scratch = this.#scratch(plan.bytes);
    const base = Math.ceil(scratch.ptr / 64) * 64;
    try {
      const flops = 2 * spec.m * spec.n * spec.k * spec.accBatch * spec.outBatches;
      const threads = flops < SPLIT_FLOPS ? 1 : this.threads;
      const pool = this.#pool;
      if (!pool || threads === 1) {
        const p = planGemm(spec, base);
        gemmPack(this.#rt, p, 0, packItems(p));
        gemmCompute(this.#rt, p, 0, computeItems(p));
        return;
      }
      encodeGemm(spec, base, pool.params);
      pool.run(TASK.gemmPack, Math.min(threads, packItems(plan)));
      pool.run(TASK.gemmCompute, Math.min(threads, computeItems(plan)));
    } finally {
      this.#heap.free(scratch);
    }
  }

  elementwise(a: KernelCatalogue["elementwise"]): void {
    this.#count(a.label);
    const v = vectorCallOf(a);
    if (!v) {
      runElementwise(this.#rt, a, ptr);
      return;
    }
    const n = a.shape.reduce((s, d) => s * d, 1);
    const at = (x: typeof v.x): number => ptr(x.handle) + 4 * x.offset;
    const params = this.#pool?.params ?? new Float64Array(8);
    params.set([at(v.x), v.g ? at(v.g) : 0, ptr(a.out), n, v.kind === "geluGrad" ? 1 : 0]);
    if (this.#pool && n >= SPLIT_ELEMENTS) this.#pool.run(TASK.gelu);
    else geluRange(this.#rt, params, 0, n);
  }
  reduce(a: KernelCatalogue["reduce"]): void {
    this.#count(a.kind);
    runReduce(this.#rt, a, at);
  }
  matmul(a: KernelCatalogue["matmul"]): void {
    this.#count("matmul");
    this.gemm({
      a: ptr(a.a),
      b: ptr(a.b),
      bias: a.bias ? ptr(a.bias) : 0,
      out: ptr(a.out),
      m: a.m,
      n: a.n,
      k: a.k,
      transA: a.transA,
      transB: a.transB,
      outBatches: a.outBatches,
      accBatch: a.accBatch,
      strideA: a.strideA,
      strideB: a.strideB,
      accumulate: false,
    });
  }
  softmax(a: KernelCatalogue["softmax"]): void {
    this.#count(a.kind);
    runSoftmax(this.#rt, a, at);
  }
  softmaxBackward(a: KernelCatalogue["softmaxBackward"]): void {
    this.#count(`${a.kind}Backward`);
    runSoftmaxBackward(this.#rt, a, at);
  }
  layerNorm(a: KernelCatalogue["layerNorm"]): void {
    this.#count("layerNorm");
    runLayerNorm(this.#rt, a, at);
  }
  layerNormBackward(a: KernelCatalogue["layerNormBackward"]): void {
    this.#count("layerNormBackward");
    runLayerNormBackward(this.#rt, a, at);
  }
  #attention(
    a: KernelCatalogue["attentionBackward"] | KernelCatalogue["attention"],
    backward: boolean,
  ): void {
    const bw = backward ? (a as KernelCatalogue["attentionBackward"]) : null;
    const job = {
      q: ptr(a.q),
      k: ptr(a.k),
      v: ptr(a.v),
      mask: a.mask ? ptr(a.mask.handle) : 0,
      maskF32: a.mask?.dtype === "f32",
      out: ptr(a.out),
      lse: ptr(a.lse),
      dout: bw ? ptr(bw.dout) : 0,
      dq: bw?.dq ? ptr(bw.dq) : 0,
      dk: bw?.dk ? ptr(bw.dk) : 0,
      dv: bw?.dv ? ptr(bw.dv) : 0,
      batch: a.batch,
      heads: a.heads,
      nq: a.nq,
      nk: a.nk,
      dh: a.dh,
      scale: a.scale,
      scratch: 0,
      scratchStride: 0,
    };
    const pairs = a.batch * a.heads;
    const flops = 4 * a.nq * a.nk * a.dh * pairs * (backward ? 2.5 : 1);
    const threads = Math.min(pairs, flops < SPLIT_FLOPS ? 1 : this.threads);
    job.scratchStride = Math.ceil(attentionScratchBytes(job) / 64) * 64;
    const scratch = this.#scratch(job.scratchStride * threads);
    job.scratch = Math.ceil(scratch.ptr / 64) * 64;
    try {
      const params = this.#pool?.params ?? new Float64Array(32);
      encodeAttention(job, params);
      const task = backward ? TASK.attentionBackward : TASK.attention;
      if (this.#pool) this.#pool.run(task, threads);
      else TASKS[task](this.#rt, params, 0, 1);
    } finally {
      this.#heap.free(scratch);
    }
  }
  attention(a: KernelCatalogue["attention"]): void {
    this.#count("attention");
    this.#attention(a, false);
  }
  attentionBackward(a: KernelCatalogue["attentionBackward"]): void {
    this.#count("attentionBackward");
    this.#attention(a, true);
  }
  gather(a: KernelCatalogue["gather"]): void {
    this.#count("gather");
    runGather(this.#rt, a, at);
  }
  scatterAdd(a: KernelCatalogue["scatterAdd"]): void {
    this.#count("scatterAdd");
    runScatterAdd(this.#rt, a, at);
  }
  concatPart(a: KernelCatalogue["concatPart"]): void {
    this.#count("concat");
    runConcatPart(this.#rt, a, at);
  }
  ropeGather(a: KernelCatalogue["ropeGather"]): void {
    this.#count("ropeGather");
    runRopeGather(this.#rt, a, at);
  }
  ropeScatter(a: KernelCatalogue["ropeScatter"]): void {
    this.#count("ropeScatter");
    runRopeScatter(this.#rt, a, at);
  }
  dropout(a: KernelCatalogue["dropout"]): void {
    this.#count("dropout");
    runDropout(this.#rt, a, at);
  }
  adamw(a: KernelCatalogue["adamw"]): void {
    this.#count("adamw");
    runAdamW(this.#rt, a, at);
  }
  sgd(a: KernelCatalogue["sgd"]): void {
    this.#count("sgd");
    runSgd(this.#rt, a, at);
  }
  ema(a: KernelCatalogue["ema"]): void {
    this.#count("ema");
    runEma(this.#rt, a, at);
  }
  globalNorm(a: KernelCatalogue["globalNorm"]): void {
    this.#count("globalNorm");
    runGlobalNorm(this.#rt, a, at);
  }
  scale(a: KernelCatalogue["scale"]): void {
    this.#count("scale");
    runScale(this.#rt, a, at);
  }
}

/** Whether worker threads can share the memory here (browsers need cross-origin isolation). */
function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Worker === "undefined") return false;
  const g = globalThis as { Deno?: unknown; crossOriginIsolated?: boolean };
  return g.Deno !== undefined || g.crossOriginIsolated === true;
}

/** Creates the wasm backend: rejects when this runtime has no WebAssembly SIMD128. */
export const createWasmBackend: BackendFactory = async (options) => {
  if (typeof WebAssembly === "undefined" || !hasSimd()) {
    throw new Error("wasm backend: this runtime has no WebAssembly SIMD128");
  }
  const relaxed = hasRelaxedSimd();
  const shared = canShareMemory();
  const pages = 256;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 65536, shared });
  const module = new WebAssembly.Module(kernelModuleBytes({ relaxed, shared, pages }) as BufferSource);
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const rt = new ThreadRuntime(memory, kernels);
  const cores = (globalThis.navigator?.hardwareConcurrency as number | undefined) ?? 1;
  const threads = shared ? Math.max(1, options.threads ?? cores) : 1;
  const pool = threads > 1 ? await ThreadPool.start(rt, module, threads) : null;
  return new WasmBackend(rt, pool, relaxed);
};
