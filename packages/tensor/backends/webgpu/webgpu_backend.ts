/**
 * The WebGPU backend: the contract of `../backend.ts` on a `GPUDevice`, with one kernel family per file.
 *
 * Memory and command batching live in {@link GpuRuntime} (pooled buffers, one compute pass per submit, a uniform
 * ring for kernel parameters, coalesced reads); this class only maps handles and named kernels onto it.
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
import { runAttention, runAttentionBackward } from "./attention.ts";
import { runConcatPart } from "./concat.ts";
import { isSoftwareAdapterName, requestDevice } from "./device.ts";
import { runDropout } from "./dropout.ts";
import { runElementwise } from "./elementwise.ts";
import { runGather, runScatterAdd } from "./gather.ts";
import { runLayerNorm, runLayerNormBackward } from "./layernorm.ts";
import { runMatmul } from "./matmul.ts";
import { runAdamW, runEma, runGlobalNorm, runScale, runSgd } from "./param_update.ts";
import { runReduce } from "./reduce.ts";
import { runRopeGather, runRopeScatter } from "./rope.ts";
import { GpuRuntime } from "./runtime.ts";
import { runSoftmax, runSoftmaxBackward } from "./softmax.ts";
import { gpuBuffer, GpuStorage } from "./storage.ts";

/** The WebGPU implementation of {@link Backend}. */
export class WebGPUBackend implements Backend {
  /** The device runtime (pool, pipelines, batching); exposed for kernel experiments and benchmarks. */
  readonly runtime: GpuRuntime;
  readonly info: BackendInfo;
  readonly limits: BackendLimits;

  constructor(runtime: GpuRuntime) {
    this.runtime = runtime;
    const d = runtime.info;
    this.info = {
      name: "webgpu",
      device: d.adapter,
      software: d.isFallback || isSoftwareAdapterName(d.adapter),
      f16: d.f16,
    };
    this.limits = { maxAllocationBytes: d.maxStorageBufferBindingSize, attentionHeadDimMultiple: 4 };
  }

  get kernelCounts(): Map<string, number> | null {
    return this.runtime.dispatchCounts;
  }
  set kernelCounts(m: Map<string, number> | null) {
    this.runtime.dispatchCounts = m;
  }

  alloc(bytes: number): StorageHandle {
    return new GpuStorage(this.runtime.alloc(bytes), bytes);
  }
  release(handle: StorageHandle): void {
    this.runtime.release(gpuBuffer(handle));
  }
  upload(dst: StorageHandle, data: ArrayBufferView, dstOffset = 0): void {
    this.runtime.upload(gpuBuffer(dst), data, dstOffset);
  }
  copy(src: StorageHandle, srcOffset: number, dst: StorageHandle, dstOffset: number, bytes: number): void {
    this.runtime.copy(gpuBuffer(src), srcOffset, gpuBuffer(dst), dstOffset, bytes);
  }
  read(src: StorageHandle, bytes: number, offset = 0): Promise<ArrayBuffer> {
    return this.runtime.read(gpuBuffer(src), bytes, offset);
  }
  sync(): Promise<void> {
    return this.runtime.sync();
  }
  memoryStats(): MemoryStats {
    return this.runtime.memoryStats();
  }
  resetPeak(): void {
    this.runtime.resetPeak();
  }
  trim(): Promise<void> {
    return this.runtime.trimPool();
  }
  async dispose(): Promise<void> {
    await this.runtime.trimPool();
    this.runtime.device.destroy();
  }

  elementwise(a: KernelCatalogue["elementwise"]): void {
    runElementwise(this.runtime, a);
  }
  reduce(a: KernelCatalogue["reduce"]): void {
    runReduce(this.runtime, a);
  }
  matmul(a: KernelCatalogue["matmul"]): void {
    runMatmul(this.runtime, a);
  }
  softmax(a: KernelCatalogue["softmax"]): void {
    runSoftmax(this.runtime, a);
  }
  softmaxBackward(a: KernelCatalogue["softmaxBackward"]): void {
    runSoftmaxBackward(this.runtime, a);
  }
  layerNorm(a: KernelCatalogue["layerNorm"]): void {
    runLayerNorm(this.runtime, a);
  }
  layerNormBackward(a: KernelCatalogue["layerNormBackward"]): void {
    runLayerNormBackward(this.runtime, a);
  }
  attention(a: KernelCatalogue["attention"]): void {
    runAttention(this.runtime, a);
  }
  attentionBackward(a: KernelCatalogue["attentionBackward"]): void {
    runAttentionBackward(this.runtime, a);
  }
  gather(a: KernelCatalogue["gather"]): void {
    runGather(this.runtime, a);
  }
  scatterAdd(a: KernelCatalogue["scatterAdd"]): void {
    runScatterAdd(this.runtime, a);
  }
  concatPart(a: KernelCatalogue["concatPart"]): void {
    runConcatPart(this.runtime, a);
  }
  ropeGather(a: KernelCatalogue["ropeGather"]): void {
    runRopeGather(this.runtime, a);
  }
  ropeScatter(a: KernelCatalogue["ropeScatter"]): void {
    runRopeScatter(this.runtime, a);
  }
  dropout(a: KernelCatalogue["dropout"]): void {
    runDropout(this.runtime, a);
  }
  adamw(a: KernelCatalogue["adamw"]): void {
    runAdamW(this.runtime, a);
  }
  sgd(a: KernelCatalogue["sgd"]): void {
    runSgd(this.runtime, a);
  }
  ema(a: KernelCatalogue["ema"]): void {
    runEma(this.runtime, a);
  }
  globalNorm(a: KernelCatalogue["globalNorm"]): void {
    runGlobalNorm(this.runtime, a);
  }
  scale(a: KernelCatalogue["scale"]): void {
    runScale(this.runtime, a);
  }
}

/** Creates the WebGPU backend on the best adapter; rejects with {@link WebGPUUnavailableError} without one. */
export const createWebGPUBackend: BackendFactory = async () => {
  const { device, info } = await requestDevice();
  return new WebGPUBackend(new GpuRuntime(device, info));
};
