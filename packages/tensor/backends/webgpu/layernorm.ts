/**
 * The LayerNorm kernel family: a row kernel normalising over the last axis (two-pass mean then variance, which
 * stays accurate when the mean is large) that saves the row mean and 1/σ, and a row kernel for dx from them.
 */

import type { LayerNormArgs, LayerNormBackwardArgs } from "../backend.ts";
import { f32Bits, type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

/**
 * Rows are handled either by a workgroup of 64 lanes with a tree reduction (long rows), or by one invocation each
 * (short rows): on a software adapter barriers cost more than the lanes save, and short rows leave most lanes idle.
 */
const LANES = 64;
const PER_THREAD_MAX_D = 256;

/** Row index, lane and lane stride, and the row reduction, for either mode. */
function rowPrelude(cooperative: boolean): { header: string; start: string } {
  if (!cooperative) {
    return {
      header: "fn row_sum(v: f32, lid: u32) -> f32 { return v; }",
      start: `  let row = gid.x + gid.y * nwg.x * ${LANES}u;
  if (row >= p.rows) { return; }
  let lid = 0u;
  let stride = 1u;`,
    };
  }
  return {
    header: `var<workgroup> part: array<f32, ${LANES}>;
fn row_sum(v: f32, lid: u32) -> f32 {
  part[lid] = v;
  workgroupBarrier();
  for (var s = ${LANES / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}`,
    start: `  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let lid = lid3.x;
  let stride = ${LANES}u;`,
  };
}

const ENTRY = `@compute @workgroup_size(${LANES})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {`;

function forwardSource(cooperative: boolean): string {
  const { header, start } = rowPrelude(cooperative);
  return /* wgsl */ `
struct Params { rows: u32, d: u32, eps: f32, affine: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd_out: array<f32>;
${header}
${ENTRY}
${start}
  let base = row * p.d;
  var s = 0.0;
  for (var j = lid; j < p.d; j += stride) { s += x[base + j]; }
  let mean = row_sum(s, lid) / f32(p.d);
  var q = 0.0;
  for (var j = lid; j < p.d; j += stride) { let c = x[base + j] - mean; q += c * c; }
  let rstd = inverseSqrt(row_sum(q, lid) / f32(p.d) + p.eps);
  for (var j = lid; j < p.d; j += stride) {
    let n = (x[base + j] - mean) * rstd;
    y[base + j] = select(n, n * gamma[j] + beta[j], p.affine != 0u);
  }
  if (lid == 0u) { mean_out[row] = mean; rstd_out[row] = rstd; }
}`;
}

function backwardSource(cooperative: boolean): string {
  const { header, start } = rowPrelude(cooperative);
  return /* wgsl */ `
struct Params { rows: u32, d: u32, eps: f32, affine: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> mean_in: array<f32>;
@group(0) @binding(4) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(5) var<storage, read> g: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
${header}
${ENTRY}
${start}
  let base = row * p.d;
  let mean = mean_in[row];
  let rstd = rstd_in[row];
  var a = 0.0;
  var b = 0.0;
  for (var j = lid; j < p.d; j += stride) {
    let dxhat = g[base + j] * select(1.0, gamma[j], p.affine != 0u);
    a += dxhat;
    b += dxhat * (x[base + j] - mean) * rstd;
  }
  let c2 = row_sum(a, lid) / f32(p.d);
  let c1 = row_sum(b, lid) / f32(p.d);
  for (var j = lid; j < p.d; j += stride) {
    let dxhat = g[base + j] * select(1.0, gamma[j], p.affine != 0u);
    let xhat = (x[base + j] - mean) * rstd;
    dx[base + j] = (dxhat - xhat * c1 - c2) * rstd;
  }
}`;
}

const KERNELS = {
  forward: [forwardSource(false), forwardSource(true)],
  backward: [backwardSource(false), backwardSource(true)],
};

/** Runs the LayerNorm forward (see {@link LayerNormArgs}). */
export function runLayerNorm(rt: GpuRuntime, a: LayerNormArgs): void {
  const x = gpuBuffer(a.x);
  // Unused affine bindings get the input buffer: the kernel never reads them when affine is 0.
  const gamma = a.weight ? gpuBuffer(a.weight) : x;
  const beta = a.bias ? gpuBuffer(a.bias) : x;
  const cooperative = a.d > PER_THREAD_MAX_D ? 1 : 0;
  rt.dispatch(
    "layernorm",
    KERNELS.forward[cooperative],
    [x, gamma, beta],
    [gpuBuffer(a.out), gpuBuffer(a.mean), gpuBuffer(a.rstd)],
    [a.rows, a.d, f32Bits(a.eps), a.weight ? 1 : 0],
    cooperative ? grid1d(a.rows, 1) : grid1d(a.rows, LANES),
  );
}

/** Runs the LayerNorm input gradient (see {@link LayerNormBackwardArgs}). */
export function runLayerNormBackward(rt: GpuRuntime, a: LayerNormBackwardArgs): void {
  const x = gpuBuffer(a.x);
  const cooperative = a.d > PER_THREAD_MAX_D ? 1 : 0;
  rt.dispatch(
    "layernorm_grad",
    KERNELS.backward[cooperative],
    [x, a.weight ? gpuBuffer(a.weight) : x, gpuBuffer(a.mean), gpuBuffer(a.rstd), gpuBuffer(a.g)],
    [gpuBuffer(a.dx)],
    [a.rows, a.d, 0, a.weight ? 1 : 0],
    cooperative ? grid1d(a.rows, 1) : grid1d(a.rows, LANES),
  );
}
