/**
 * @module
 * @echojepa/tensor — tensors with reverse-mode autograd and optimizers over interchangeable compute backends:
 * WebGPU (hand-written WGSL kernels), WebAssembly, and a plain-TypeScript reference (see `backends/README.md`).
 *
 * ```ts
 * import { init, tensor, mul, sum, backward, describeBackend } from "@echojepa/tensor";
 * await init();
 * console.log(describeBackend());
 * const x = tensor([1, 2, 3]);
 * x.requiresGrad = true;
 * const y = sum(mul(x, x));
 * backward(y);
 * console.log(await y.item(), await x.grad!.toArray()); // 14, [2, 4, 6]
 * ```
 */
export type {
  Backend,
  BackendFactory,
  BackendInfo,
  BackendLimits,
  BackendName,
  BackendOptions,
  DType,
  KernelCatalogue,
  KernelName,
  MemoryStats,
  StorageHandle,
} from "./backends/backend.ts";
export * from "./backends/registry.ts";
export { WebGPUUnavailableError } from "./backends/webgpu/device.ts";
export * from "./tensor.ts";
export * from "./creation.ts";
/** The project's one seeded generator, re-exported for code that already imports the tensor package. */
export { Random } from "@echojepa/core";
export * from "./autograd.ts";
export * from "./ops/elementwise.ts";
export * from "./ops/reduce.ts";
export * from "./ops/shape.ts";
export * from "./ops/matmul.ts";
export * from "./ops/softmax.ts";
export * from "./ops/layernorm.ts";
export * from "./ops/gather.ts";
export * from "./ops/loss.ts";
export * from "./ops/dropout.ts";
export * from "./ops/attention.ts";
export * from "./ops/rope.ts";
export { assign } from "./ops/param_update.ts";
export * from "./nn.ts";
export * from "./optim.ts";
export * from "./clip.ts";
export * from "./host_clip.ts";
export * from "./ema.ts";
export * from "./schedule.ts";
export * from "./safetensors.ts";
export * from "./half.ts";
export * from "./weights_file.ts";
export * from "./pytorch/mod.ts";
