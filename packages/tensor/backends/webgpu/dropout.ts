/** The dropout kernel: the elementwise launcher with a counter-based hash mask (see {@link DropoutArgs}). */

import type { DropoutArgs } from "../backend.ts";
import { launchExpression } from "./elementwise.ts";
import type { GpuRuntime } from "./runtime.ts";

// Seed and threshold travel as f32 scalars: exact for integers below 2^24, which is why the seed has 24 bits.
const KEEP =
  "select(0.0, 1.0 / (1.0 - s1), f32(hash_(i ^ (u32(s0) * 0x9e3779b9u)) >> 8u) >= s1 * 16777216.0)";

/** Runs dropout (see {@link DropoutArgs}). */
export function runDropout(rt: GpuRuntime, a: DropoutArgs): void {
  const input = { handle: a.x, dtype: "f32" as const, offset: 0, strides: [1] };
  launchExpression(rt, "dropout", `a * ${KEEP}`, [input], [a.seed, a.p], [a.n], a.out, "f32");
}
