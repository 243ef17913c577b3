/**
 * Dropout with a counter-based hash mask: element i is kept when hash(i, seed) ≥ p·2²⁴ (see the backends'
 * `dropout` kernel), so the backward pass regenerates the same mask instead of storing it.
 */

import { backend } from "../backends/registry.ts";
import { record, Tensor } from "../tensor.ts";

function masked(x: Tensor, p: number, seed: number): Tensor {
  const out = Tensor.empty(x.shape);
  if (x.size > 0) backend().dropout({ x: x.handle("dropout"), out: out.handle(), n: x.size, seed, p });
  return out;
}

/** Zeroes each element with probability `p` and scales the rest by 1/(1−p). Identity when p = 0. */
export function dropout(x: Tensor, p: number, seed: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  // The seed is reduced to 24 bits: backends pass it as an f32, exact for integers below 2^24.
  const s = seed % 16777216;
  return record(masked(x, p, s), "dropout", [x], (g) => [masked(g, p, s)]);
}
