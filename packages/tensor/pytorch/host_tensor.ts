/**
 * Tensors on the host, the currency between checkpoint files and the GPU: a shape, and contiguous row-major data as
 * f32 (every floating type) or i32 (every integer and boolean type).
 *
 * @module
 */

/** A contiguous host tensor. */
export interface HostTensor {
  /** Shape. */
  shape: number[];
  /** "f32" for floating-point data, "i32" for integers and booleans. */
  dtype: "f32" | "i32";
  /** Row-major values. */
  data: Float32Array | Int32Array;
}
