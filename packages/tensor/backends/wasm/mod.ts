/**
 * @module
 * The WebAssembly SIMD128 backend of `@echojepa/tensor`: kernels generated at run time by a small bytecode
 * emitter, a worker pool over one shared memory, and a size-class heap for tensor storage.
 */
export { createWasmBackend, WasmBackend } from "./wasm_backend.ts";
export { type GemmSpec } from "./gemm.ts";
