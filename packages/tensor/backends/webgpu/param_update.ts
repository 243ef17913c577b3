/**
 * The in-place parameter-update kernel family: fused AdamW, SGD with momentum, EMA (lerp), and the grad-norm
 * reduction and rescale behind `clipGradNorm`.
 *
 * Hyper-parameters (learning rate, betas, bias corrections, weight decay) travel in the uniform slot, so changing
 * them every step, as schedules do, never recompiles a pipeline.
 */

import type { AdamWArgs, EmaArgs, GlobalNormArgs, ScaleArgs, SgdArgs } from "../backend.ts";
import { f32Bits, type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

const INDEX = "gid.x + gid.y * nwg.x * 256u";
const ENTRY = "@compute @workgroup_size(256)\n" +
  "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)";

// ------------------------------------------------------------------ AdamW

const ADAMW = /* wgsl */ `
struct Params { n: u32, decay: f32, stepSize: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32,
  oneMinusBeta2: f32, invSqrtBc2: f32, eps: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${ENTRY} {
  let i = ${INDEX};
  if (i >= p.n) { return; }
  let g = grad[i];
  let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
  let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  // Same operation order as PyTorch's AdamW: decoupled decay first, then lr/bc1 · m / (√v/√bc2 + eps).
  param[i] = param[i] * p.decay - p.stepSize * mi / (sqrt(vi) * p.invSqrtBc2 + p.eps);
}`;

/** Runs one fused AdamW step (see {@link AdamWArgs}). */
export function runAdamW(rt: GpuRuntime, a: AdamWArgs): void {
  const params = new Uint32Array([
    a.n,
    f32Bits(a.decay),
    f32Bits(a.stepSize),
    f32Bits(a.beta1),
    f32Bits(1 - a.beta1),
    f32Bits(a.beta2),
    f32Bits(1 - a.beta2),
    f32Bits(a.invSqrtBc2),
    f32Bits(a.eps),
  ]);
  const outputs = [gpuBuffer(a.param), gpuBuffer(a.m), gpuBuffer(a.v)];
  rt.dispatch("adamw", ADAMW, [gpuBuffer(a.grad)], outputs, params, grid1d(a.n));
}

// ------------------------------------------------------------------ SGD

function sgdSource(momentum: boolean): string {
  return /* wgsl */ `
struct Params { n: u32, lr: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, nesterov: u32,
  first: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
${momentum ? "@group(0) @binding(3) var<storage, read_write> buf: array<f32>;" : ""}
${ENTRY} {
  let i = ${INDEX};
  if (i >= p.n) { return; }
  var d = grad[i] + p.weightDecay * param[i];
${
    momentum
      ? `  // The first step starts the buffer at d (PyTorch), so its uninitialised contents are never read.
  let b = select(p.momentum * buf[i] + p.oneMinusDampening * d, d, p.first == 1u);
  buf[i] = b;
  d = select(b, d + p.momentum * b, p.nesterov == 1u);`
      : ""
  }
  param[i] = param[i] - p.lr * d;
}`;
}

const SGD_SOURCES = [sgdSource(false), sgdSource(true)];

/** Runs one SGD step (see {@link SgdArgs}). */
export function runSgd(rt: GpuRuntime, a: SgdArgs): void {
  const params = new Uint32Array([
    a.n,
    f32Bits(a.lr),
    f32Bits(a.weightDecay),
    f32Bits(a.momentum),
    f32Bits(1 - a.dampening),
    a.nesterov ? 1 : 0,
    a.first ? 1 : 0,
  ]);
  const outputs = a.buf ? [gpuBuffer(a.param), gpuBuffer(a.buf)] : [gpuBuffer(a.param)];
  rt.dispatch("sgd", SGD_SOURCES[a.buf ? 1 : 0], [gpuBuffer(a.grad)], outputs, params, grid1d(a.n));
}

// ------------------------------------------------------------------ EMA

const LERP = /* wgsl */ `
struct Params { n: u32, m: f32, oneMinusM: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> online: array<f32>;
@group(0) @binding(2) var<storage, read_write> tgt: array<f32>;
${ENTRY} {
  let i = ${INDEX};
  if (i >= p.n) { return; }
  tgt[i] = tgt[i] * p.m + p.oneMinusM * online[i];
}`;

/** Runs one EMA update (see {@link EmaArgs}). */
export function runEma(rt: GpuRuntime, a: EmaArgs): void {
  const params = new Uint32Array([a.n, f32Bits(a.momentum), f32Bits(1 - a.momentum)]);
  rt.dispatch("emaUpdate", LERP, [gpuBuffer(a.online)], [gpuBuffer(a.target)], params, grid1d(a.n));
}

// ------------------------------------------------------------------ global norm

/** Workgroups per tensor in the sum-of-squares pass: enough to fill a GPU, few enough to finish in one pass. */
const MAX_NORM_GROUPS = 128;
/**
 * Elements each thread sums at least before the tree reduction: a workgroup's barriers cost far more than its
 * loads on software adapters (llvmpipe), so small tensors get few workgroups.
 */
const MIN_PER_THREAD = 64;

const SUM_SQUARES = /* wgsl */ `
struct Params { n: u32, groups: u32, outOffset: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = wid.x * 256u + lid.x; i < p.n; i += p.groups * 256u) { acc += x[i] * x[i]; }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) { part[lid.x] += part[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partial[p.outOffset + wid.x] = part[0]; }
}`;

const NORM_FINISH = /* wgsl */ `
struct Params { count: u32, maxNorm: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> norm: array<f32>;
@group(0) @binding(3) var<storage, read_write> scale: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < p.count; i += 256u) { acc += partial[i]; }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) { part[lid.x] += part[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let total = sqrt(part[0]);
    norm[0] = total;
    // PyTorch clip_grad_norm_: coefficient max_norm / (norm + 1e-6), clamped to at most 1.
    scale[0] = min(p.maxNorm / (total + 1e-6), 1.0);
  }
}`;

const SCALE = /* wgsl */ `
struct Params { n: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> scale: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
${ENTRY} {
  let i = ${INDEX};
  if (i >= p.n) { return; }
  x[i] = x[i] * scale[0];
}`;

/** Runs the global L2 norm and clip coefficient (see {@link GlobalNormArgs}); three dispatch kinds. */
export function runGlobalNorm(rt: GpuRuntime, a: GlobalNormArgs): void {
  const groups = a.tensors.map((t) =>
    Math.max(1, Math.min(MAX_NORM_GROUPS, Math.ceil(t.n / (256 * MIN_PER_THREAD))))
  );
  const count = groups.reduce((x, y) => x + y, 0);
  const partial = rt.alloc(Math.max(count, 1) * 4);
  let at = 0;
  a.tensors.forEach((t, k) => {
    rt.dispatch("norm_sumsq", SUM_SQUARES, [gpuBuffer(t.handle)], [partial], [t.n, groups[k], at], [
      groups[k],
    ]);
    at += groups[k];
  });
  rt.dispatch(
    "norm_finish",
    NORM_FINISH,
    [partial],
    [gpuBuffer(a.norm), gpuBuffer(a.scale)],
    [count, f32Bits(a.maxNorm)],
    [1],
  );
  rt.release(partial);
}

/** Runs an in-place rescale by a one-element factor (see {@link ScaleArgs}). */
export function runScale(rt: GpuRuntime, a: ScaleArgs): void {
  rt.dispatch("scaleInPlace", SCALE, [gpuBuffer(a.scale)], [gpuBuffer(a.x)], [a.n], grid1d(a.n));
}
