/**
 * Creating tensors from host data and from seeded random sources.
 *
 * Random values are drawn on the host with the project's one generator (`Random` of `@echojepa/core`, SplitMix32),
 * so the same seed gives the same tensor on every device and in every process, then uploaded once.
 */

import type { DType } from "./backends/backend.ts";
import { backend } from "./backends/registry.ts";
import { full } from "./ops/elementwise.ts";
import { type Shape, shapeSize, Tensor } from "./tensor.ts";
import { Random } from "@echojepa/core";

/** Host data a tensor can be made from. */
export type TensorData = Float32Array | Int32Array | Uint32Array | number[];

/** Uploads host data as a tensor of `shape` (default: 1-D). dtype defaults from the array type (number[] → f32). */
export function tensor(data: TensorData, shape?: Shape, dtype?: DType): Tensor {
  const dt: DType = dtype ??
    (data instanceof Int32Array ? "i32" : data instanceof Uint32Array ? "u32" : "f32");
  const s = shape ?? [data.length];
  if (shapeSize(s) !== data.length) {
    throw new RangeError(`tensor: ${data.length} values do not fill shape [${s}]`);
  }
  const typed = dt === "f32"
    ? (data instanceof Float32Array ? data : Float32Array.from(data))
    : dt === "i32"
    ? (data instanceof Int32Array ? data : Int32Array.from(data))
    : (data instanceof Uint32Array ? data : Uint32Array.from(data));
  const t = Tensor.empty(s, dt);
  backend().upload(t.handle(), typed);
  return t;
}

/** A tensor of zeros. */
export function zeros(shape: Shape, dtype: DType = "f32"): Tensor {
  return full(shape, 0, dtype);
}

/** A tensor of ones. */
export function ones(shape: Shape, dtype: DType = "f32"): Tensor {
  return full(shape, 1, dtype);
}

/** Options for random tensors. */
export interface RandomOptions {
  /** Seed (default 0). */
  seed?: number;
}

/** Uniform values in [low, high). */
export function uniform(shape: Shape, low = 0, high = 1, { seed = 0 }: RandomOptions = {}): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * r.next();
  return tensor(data, shape);
}

/** Normal values with the given mean and standard deviation. */
export function randn(shape: Shape, std = 1, mean = 0, { seed = 0 }: RandomOptions = {}): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * r.normal();
  return tensor(data, shape);
}

/**
 * Truncated normal: N(mean, std²) redrawn until inside [low, high] (absolute bounds, as PyTorch's
 * `trunc_normal_(std=0.02, a=-2, b=2)` that ViT initialisation uses).
 */
export function truncNormal(
  shape: Shape,
  std = 0.02,
  mean = 0,
  low = -2,
  high = 2,
  { seed = 0 }: RandomOptions = {},
): Tensor {
  const r = new Random(seed);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) {
    let v: number;
    do v = mean + std * r.normal(); while (v < low || v > high);
    data[i] = v;
  }
  return tensor(data, shape);
}
