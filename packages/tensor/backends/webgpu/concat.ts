/** The concat kernel: one part of a concatenation copied into its region of the output. */

import type { ConcatPartArgs } from "../backend.ts";
import { type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

const CONCAT_WGSL = /* wgsl */ `
struct Params { n: u32, inner: u32, len: u32, out_len: u32, start: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let block = p.len * p.inner;
  let o = i / block;
  let r = i % block;
  out[o * p.out_len * p.inner + p.start * p.inner + r] = x[i];
}`;

/** Runs one part of a concatenation (see {@link ConcatPartArgs}). */
export function runConcatPart(rt: GpuRuntime, a: ConcatPartArgs): void {
  const n = a.outer * a.len * a.inner;
  rt.dispatch(
    "concat",
    CONCAT_WGSL,
    [gpuBuffer(a.x)],
    [gpuBuffer(a.out)],
    [n, a.inner, a.len, a.outLen, a.start],
    grid1d(n),
  );
}
