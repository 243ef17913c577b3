/**
 * The rotary kernel family: V-JEPA 2's 3-axis RoPE with tiled frequencies (see {@link RopeParams}), read through a
 * head layout into `[B, H, N, hd]` (forward or transposed), and the qkv-split gradient that scatters heads back
 * into their columns of `[B, N, width]`.
 */

import type { RopeGatherArgs, RopeParams, RopeScatterArgs } from "../backend.ts";
import { type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

function ropeWords(r: RopeParams): number[] {
  return [r.axisDim, r.perFrame, r.perRow, r.ids ? 1 : 0];
}

/** Runs a rotary gather (see {@link RopeGatherArgs}). */
export function runRopeGather(rt: GpuRuntime, a: RopeGatherArgs): void {
  const total = a.batch * a.heads * a.tokens * a.headDim;
  const x = gpuBuffer(a.x);
  rt.dispatch(
    "rope_gather",
    GATHER_WGSL,
    // Without ids the kernel never reads binding 2; any buffer will do.
    [x, a.rope.ids ? gpuBuffer(a.rope.ids) : x],
    [gpuBuffer(a.out)],
    [
      total,
      a.heads,
      a.tokens,
      a.headDim,
      ...ropeWords(a.rope),
      a.transpose ? 1 : 0,
      a.layout.batch,
      a.layout.token,
      a.layout.head,
      a.layout.offset,
    ],
    grid1d(total),
  );
}

/** Runs the qkv-split gradient scatter (see {@link RopeScatterArgs}). */
export function runRopeScatter(rt: GpuRuntime, a: RopeScatterArgs): void {
  const total = a.batch * a.tokens * a.width;
  const g = gpuBuffer(a.g);
  rt.dispatch(
    "rope_scatter",
    SCATTER_WGSL,
    [g, a.rope.ids ? gpuBuffer(a.rope.ids) : g],
    [gpuBuffer(a.out)],
    [total, a.heads, a.tokens, a.headDim, ...ropeWords(a.rope), a.width, a.offset],
    grid1d(total),
  );
}

/** WGSL shared by both kernels: the token coordinate along a RoPE axis, and one rotated element. */
const ROPE_FNS = /* wgsl */ `
// Coordinate of token id along axis 0 (time), 1 (row) or 2 (column) of a grid with per_frame = h·w, per_row = w.
fn coord(id: u32, axis: u32, per_frame: u32, per_row: u32) -> f32 {
  let within = id % per_frame;
  if (axis == 1u) { return f32(within / per_row); }
  if (axis == 2u) { return f32(within % per_row); }
  return f32(id / per_frame);
}

// Angle of element m of a d-wide part at coordinate pos: the tiled frequency θ_{m mod d/2} (see RopeParams).
fn angle(pos: f32, m: u32, half: u32) -> f32 {
  return pos / pow(10000.0, f32(m % half) / f32(half));
}

// Element m (within its d-wide part) of the rotation of (self = x[m], partner = x[m ^ 1]), or of its transpose.
//   forward:   x[m]·cos θ_m + s·x[partner]·sin θ_m            s = −1 for even m, +1 for odd m
//   transpose: g[m]·cos θ_m − s·g[partner]·sin θ_partner
fn rotated(self_v: f32, partner_v: f32, pos: f32, m: u32, half: u32, transpose: bool) -> f32 {
  let even = (m & 1u) == 0u;
  let sign = select(1.0, -1.0, even);
  let a = angle(pos, m, half);
  if (!transpose) { return self_v * cos(a) + sign * partner_v * sin(a); }
  let mp = select(m - 1u, m + 1u, even);
  return self_v * cos(a) - sign * partner_v * sin(angle(pos, mp, half));
}
`;

const GATHER_WGSL = /* wgsl */ `
struct Params {
  total: u32, heads: u32, tokens: u32, head_dim: u32,
  d: u32, per_frame: u32, per_row: u32, has_ids: u32, transpose: u32,
  s_batch: u32, s_token: u32, s_head: u32, offset: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${ROPE_FNS}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * 256u;          // out index ((b·H + h)·N + n)·hd + k
  if (e >= p.total) { return; }
  let k = e % p.head_dim;
  let row = e / p.head_dim;
  let n = row % p.tokens;
  let h = (row / p.tokens) % p.heads;
  let b = row / (p.tokens * p.heads);
  let base = b * p.s_batch + n * p.s_token + h * p.s_head + p.offset;
  let axis = select(3u, k / max(p.d, 1u), p.d > 0u);
  if (axis >= 3u) { out[e] = x[base + k]; return; }
  var id = n;
  if (p.has_ids == 1u) { id = u32(ids[b * p.tokens + n]); }
  let m = k % p.d;
  let partner = select(k - 1u, k + 1u, (m & 1u) == 0u);
  let pos = coord(id, axis, p.per_frame, p.per_row);
  out[e] = rotated(x[base + k], x[base + partner], pos, m, p.d / 2u, p.transpose == 1u);
}
`;

const SCATTER_WGSL = /* wgsl */ `
struct Params {
  total: u32, heads: u32, tokens: u32, head_dim: u32,
  d: u32, per_frame: u32, per_row: u32, has_ids: u32,
  width: u32, offset: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${ROPE_FNS}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * 256u;          // out index (b·N + n)·width + c
  if (e >= p.total) { return; }
  let c = e % p.width;
  let bn = e / p.width;
  let dim = p.heads * p.head_dim;
  if (c < p.offset || c >= p.offset + dim) { out[e] = 0.0; return; }
  let n = bn % p.tokens;
  let b = bn / p.tokens;
  let h = (c - p.offset) / p.head_dim;
  let k = (c - p.offset) % p.head_dim;
  let base = ((b * p.heads + h) * p.tokens + n) * p.head_dim;
  let axis = select(3u, k / max(p.d, 1u), p.d > 0u);
  if (axis >= 3u) { out[e] = g[base + k]; return; }
  var id = n;
  if (p.has_ids == 1u) { id = u32(ids[b * p.tokens + n]); }
  let m = k % p.d;
  let partner = select(k - 1u, k + 1u, (m & 1u) == 0u);
  let pos = coord(id, axis, p.per_frame, p.per_row);
  out[e] = rotated(g[base + k], g[base + partner], pos, m, p.d / 2u, true);
}
`;
