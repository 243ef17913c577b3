/**
 * Dropout with a counter-based hash mask: element i is kept when hash(i, seed) ≥ p·2³², so the backward pass
 * regenerates the same mask instead of storing it.
 */

import { record, type Tensor } from "../tensor.ts";
import { elementwise } from "./elementwise.ts";

/** Zeroes each element with probability `p` and scales the rest by 1/(1−p). Identity when p = 0. */
export function dropout(x: Tensor, p: number, seed: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  // Seed and threshold travel as f32 scalars: exact for integers below 2^24, so the seed is reduced to 24 bits.
  const keep =
    "select(0.0, 1.0 / (1.0 - s1), f32(hash_(i ^ (u32(s0) * 0x9e3779b9u)) >> 8u) >= s1 * 16777216.0)";
  const scalars = [seed % 16777216, p];
  const out = elementwise("dropout", `a * ${keep}`, [x], scalars);
  return record(out, "dropout", [x], (g) => [elementwise("dropout_grad", `a * ${keep}`, [g], scalars)]);
}
