/**
 * @module
 * @echojepa/tensor — WebGPU tensors with hand-written WGSL kernels, reverse-mode autograd and optimizers.
 *
 * ```ts
 * import { init, tensor, mul, sum, backward } from "@echojepa/tensor";
 * await init();
 * const x = tensor([1, 2, 3]);
 * x.requiresGrad = true;
 * const y = sum(mul(x, x));
 * backward(y);
 * console.log(await y.item(), await x.grad!.toArray()); // 14, [2, 4, 6]
 * ```
 */
export * from "./backend.ts";
export * from "./device.ts";
export * from "./tensor.ts";
export * from "./creation.ts";
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
export * from "./nn.ts";
export * from "./optim.ts";
export * from "./clip.ts";
export * from "./ema.ts";
export * from "./schedule.ts";
export * from "./safetensors.ts";
export * from "./half.ts";
export * from "./weights_file.ts";
export * from "./pytorch/mod.ts";
