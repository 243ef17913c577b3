/**
 * The gather kernel family: row gather along the token axis and its gradient, scatter-add. Scatter-add sums every
 * source row whose index points at a token with one output thread looping over the K indices of its sample, so
 * repeated indices add up correctly without float atomics (WGSL has none).
 */

import type { GatherArgs, ScatterAddArgs } from "../backend.ts";
import { type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

const GATHER = /* wgsl */ `
struct Params { b: u32, n: u32, k: u32, d: u32, idx_batch: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.b * p.k * p.d) { return; }
  let c = i % p.d;
  let row = i / p.d;
  let bi = row / p.k;
  let j = idx[select(row % p.k, row, p.idx_batch != 0u)];
  out[i] = select(0.0, x[(bi * p.n + u32(j)) * p.d + c], j >= 0 && u32(j) < p.n);
}`;

const SCATTER_ADD = /* wgsl */ `
struct Params { b: u32, n: u32, k: u32, d: u32, idx_batch: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> base: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.b * p.n * p.d) { return; }
  let c = i % p.d;
  let t = i32((i / p.d) % p.n);
  let bi = i / (p.n * p.d);
  let ib = select(0u, bi * p.k, p.idx_batch != 0u);
  var acc = base[i];
  for (var j = 0u; j < p.k; j++) {
    if (idx[ib + j] == t) { acc += src[(bi * p.k + j) * p.d + c]; }
  }
  out[i] = acc;
}`;

const SCATTER_ADD_ZERO_BASE = SCATTER_ADD.replace("var acc = base[i];", "var acc = 0.0;");

/** Runs a row gather (see {@link GatherArgs}). */
export function runGather(rt: GpuRuntime, a: GatherArgs): void {
  rt.dispatch(
    "gather",
    GATHER,
    [gpuBuffer(a.x), gpuBuffer(a.idx)],
    [gpuBuffer(a.out)],
    [a.batch, a.n, a.k, a.d, a.idxBatched ? 1 : 0],
    grid1d(a.batch * a.k * a.d),
  );
}

/** Runs a scatter-add (see {@link ScatterAddArgs}). */
export function runScatterAdd(rt: GpuRuntime, a: ScatterAddArgs): void {
  const src = gpuBuffer(a.src);
  rt.dispatch(
    "scatter_add",
    a.base ? SCATTER_ADD : SCATTER_ADD_ZERO_BASE,
    // Without a base the kernel never reads binding 1; any buffer fills it.
    [a.base ? gpuBuffer(a.base) : src, gpuBuffer(a.idx), src],
    [gpuBuffer(a.out)],
    [a.batch, a.n, a.k, a.d, a.idxBatched ? 1 : 0],
    grid1d(a.batch * a.n * a.d),
  );
}
