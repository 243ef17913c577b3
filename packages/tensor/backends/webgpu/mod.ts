/**
 * @module
 * The WebGPU backend of `@echojepa/tensor`: every WGSL kernel and every `GPUBuffer` of the package lives here.
 */
export { createWebGPUBackend, WebGPUBackend } from "./webgpu_backend.ts";
export { type DeviceInfo, requestDevice, WebGPUUnavailableError } from "./device.ts";
export { GpuRuntime } from "./runtime.ts";
export { type MatmulTile, runMatmul, selectTile, TILES, vec4KernelSource } from "./matmul.ts";
