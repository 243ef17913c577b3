/**
 * The reduce kernel family: sum, max or min over the middle axis of `[outer, R, inner]`, so no transpose is needed.
 *
 * Two kernels: one
 * thread per output when R is short or outputs are many (each thread walks R), and one workgroup per output with a
 * tree reduction in workgroup memory when R is long and outputs are few (e.g. a bias gradient summed over tokens).
 */

import type { ReduceArgs } from "../backend.ts";
import { type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

type ReduceKind = ReduceArgs["kind"];

const INIT: Record<ReduceKind, string> = { sum: "0.0", max: "-3.4e38", min: "3.4e38" };
const COMBINE: Record<ReduceKind, (a: string, b: string) => string> = {
  sum: (a, b) => `${a} + ${b}`,
  max: (a, b) => `max(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
};

const HEADER = /* wgsl */ `
struct Params { outer: u32, r: u32, inner: u32, scale: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
`;

function perThreadSource(kind: ReduceKind): string {
  return `${HEADER}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.outer * p.inner) { return; }
  let o = i / p.inner;
  let n = i % p.inner;
  var acc = ${INIT[kind]};
  var at = o * p.r * p.inner + n;
  for (var k = 0u; k < p.r; k++) {
    acc = ${COMBINE[kind]("acc", "x[at]")};
    at += p.inner;
  }
  y[i] = acc * p.scale;
}`;
}

function perGroupSource(kind: ReduceKind): string {
  return `${HEADER}
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = wid.x + wid.y * nwg.x;
  if (i >= p.outer * p.inner) { return; }
  let o = i / p.inner;
  let n = i % p.inner;
  var acc = ${INIT[kind]};
  for (var k = lid.x; k < p.r; k += 64u) {
    acc = ${COMBINE[kind]("acc", "x[(o * p.r + k) * p.inner + n]")};
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid.x < s) { part[lid.x] = ${COMBINE[kind]("part[lid.x]", "part[lid.x + s]")}; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { y[i] = part[0] * p.scale; }
}`;
}

const SOURCES = {
  perThread: { sum: perThreadSource("sum"), max: perThreadSource("max"), min: perThreadSource("min") },
  perGroup: { sum: perGroupSource("sum"), max: perGroupSource("max"), min: perGroupSource("min") },
};

/** Runs one reduction (see {@link ReduceArgs}). */
export function runReduce(rt: GpuRuntime, { kind, x, out, outer, r, inner, scale }: ReduceArgs): void {
  const params = new Uint32Array([outer, r, inner, 0]);
  new Float32Array(params.buffer)[3] = scale;
  const count = outer * inner;
  const label = kind === "sum" ? "sum" : kind;
  if (r >= 256 && count <= 4096) {
    const [gx, gy] = grid1d(count, 1);
    rt.dispatch(`${label}_group`, SOURCES.perGroup[kind], [gpuBuffer(x)], [gpuBuffer(out)], params, [gx, gy]);
  } else {
    rt.dispatch(label, SOURCES.perThread[kind], [gpuBuffer(x)], [gpuBuffer(out)], params, grid1d(count));
  }
}
