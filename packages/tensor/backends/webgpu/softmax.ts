/**
 * The softmax kernel family: softmax and log-softmax over the last axis of `[rows, n]`, forward and backward.
 *
 * Every kernel is "one or two row reductions, then a per-element write":
 * - softmax:     m = max x, s = Σ exp(x − m), y = exp(x − m) / s   (max-subtracted, so no overflow)
 * - log-softmax: same m and s, y = x − m − log s
 * - softmax backward:     dx = y ⊙ (g − Σ g⊙y)
 * - log-softmax backward: dx = g − exp(y) ⊙ Σ g
 * Backward kernels read the saved output y, never the input. Two launch shapes, as in `reduce.ts`: one thread per
 * row (many rows, the common case), or one 64-thread workgroup per row with a tree reduction in workgroup memory
 * (few long rows, e.g. a class distribution per sample).
 */

import type { SoftmaxArgs, SoftmaxBackwardArgs, StorageHandle } from "../backend.ts";
import { type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

/** One row reduction: the variable it defines, how it combines, and the per-element term it reduces. */
interface RowReduction {
  name: string;
  kind: "max" | "sum";
  term: string;
}

/** A row kernel: its inputs (read at flat index `at`), its reductions in order, and the output expression. */
interface RowKernel {
  inputs: string[];
  reductions: RowReduction[];
  write: string;
}

const MAX_STEP: RowReduction = { name: "m", kind: "max", term: "x[at]" };
const SUM_STEP: RowReduction = { name: "s", kind: "sum", term: "exp(x[at] - m)" };

const KERNELS = {
  softmax: { inputs: ["x"], reductions: [MAX_STEP, SUM_STEP], write: "exp(x[at] - m) / s" },
  log_softmax: { inputs: ["x"], reductions: [MAX_STEP, SUM_STEP], write: "x[at] - m - log(s)" },
  softmax_grad: {
    inputs: ["y", "g"],
    reductions: [{ name: "t", kind: "sum", term: "g[at] * y[at]" }],
    write: "y[at] * (g[at] - t)",
  },
  log_softmax_grad: {
    inputs: ["y", "g"],
    reductions: [{ name: "t", kind: "sum", term: "g[at]" }],
    write: "g[at] - exp(y[at]) * t",
  },
} satisfies Record<string, RowKernel>;

type KernelName = keyof typeof KERNELS;

const INIT = { max: "-3.4e38", sum: "0.0" };
const combine = (kind: "max" | "sum", a: string, b: string): string =>
  kind === "max" ? `max(${a}, ${b})` : `${a} + ${b}`;

function header(k: RowKernel): string {
  const inputs = k.inputs.map((name, i) =>
    `@group(0) @binding(${i + 1}) var<storage, read> ${name}: array<f32>;`
  );
  return `struct Params { rows: u32, n: u32 };
@group(0) @binding(0) var<uniform> p: Params;
${inputs.join("\n")}
@group(0) @binding(${k.inputs.length + 1}) var<storage, read_write> out: array<f32>;`;
}

/** One thread walks a whole row: no barriers, best when there are many rows. */
function perThreadSource(k: RowKernel): string {
  const reductions = k.reductions.map((r) => `
  var ${r.name} = ${INIT[r.kind]};
  for (var c = 0u; c < p.n; c++) { let at = base + c; ${r.name} = ${combine(r.kind, r.name, r.term)}; }`);
  return `${header(k)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * 64u;
  if (row >= p.rows) { return; }
  let base = row * p.n;${reductions.join("")}
  for (var c = 0u; c < p.n; c++) { let at = base + c; out[at] = ${k.write}; }
}`;
}

/** A 64-thread workgroup shares a row: strided partial reductions, then a tree in workgroup memory. */
function perGroupSource(k: RowKernel): string {
  const reductions = k.reductions.map((r) => `
  var ${r.name}_part = ${INIT[r.kind]};
  for (var c = lid.x; c < p.n; c += 64u) {
    let at = base + c;
    ${r.name}_part = ${combine(r.kind, `${r.name}_part`, r.term)};
  }
  part[lid.x] = ${r.name}_part;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] = ${combine(r.kind, "part[lid.x]", "part[lid.x + w]")}; }
    workgroupBarrier();
  }
  let ${r.name} = part[0];
  workgroupBarrier();`);
  return `${header(k)}
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let base = row * p.n;${reductions.join("")}
  for (var c = lid.x; c < p.n; c += 64u) { let at = base + c; out[at] = ${k.write}; }
}`;
}

const SOURCES = new Map<KernelName, [string, string]>();

function run(
  rt: GpuRuntime,
  name: KernelName,
  inputs: StorageHandle[],
  out: StorageHandle,
  rows: number,
  n: number,
) {
  let src = SOURCES.get(name);
  if (!src) SOURCES.set(name, src = [perThreadSource(KERNELS[name]), perGroupSource(KERNELS[name])]);
  const buffers = inputs.map(gpuBuffer);
  if (n >= 256 && rows <= 4096) {
    rt.dispatch(`${name}_group`, src[1], buffers, [gpuBuffer(out)], [rows, n], grid1d(rows, 1));
  } else {
    rt.dispatch(name, src[0], buffers, [gpuBuffer(out)], [rows, n], grid1d(rows, 64));
  }
}

/** Runs softmax or log-softmax forward (see {@link SoftmaxArgs}). */
export function runSoftmax(rt: GpuRuntime, a: SoftmaxArgs): void {
  run(rt, a.kind === "softmax" ? "softmax" : "log_softmax", [a.x], a.out, a.rows, a.n);
}

/** Runs softmax or log-softmax backward (see {@link SoftmaxBackwardArgs}). */
export function runSoftmaxBackward(rt: GpuRuntime, a: SoftmaxBackwardArgs): void {
  run(rt, a.kind === "softmax" ? "softmax_grad" : "log_softmax_grad", [a.y, a.g], a.out, a.rows, a.n);
}
