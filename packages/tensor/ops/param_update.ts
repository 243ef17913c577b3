/**
 * In-place parameter-update kernels: fused AdamW, SGD with momentum, EMA (lerp), and the grad-norm reduction and
 * rescale behind `clipGradNorm`.
 *
 * These are the only kernels that write into an existing tensor's buffer instead of a new one: an optimizer step
 * must not allocate, or a training loop's memory would churn. They record no tape (they run after `backward`).
 * Hyper-parameters (learning rate, betas, bias corrections, weight decay) travel in the uniform slot, so changing
 * them every step, as schedules do, never recompiles a pipeline.
 */

import { backend, f32Bits, grid1d } from "../backend.ts";
import { expectDType, Tensor } from "../tensor.ts";

const INDEX = "gid.x + gid.y * nwg.x * 256u";
const ENTRY = "@compute @workgroup_size(256)\n" +
  "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)";

function checkSame(op: string, a: Tensor, b: Tensor, what: string): void {
  expectDType(op, a, "f32");
  expectDType(op, b, "f32");
  if (a.size !== b.size || a.shape.join() !== b.shape.join()) {
    throw new RangeError(`${op}: ${what} [${b.shape}] does not match parameter [${a.shape}]`);
  }
  if (a.buffer(op) === b.buffer(op)) throw new Error(`${op}: ${what} shares the parameter's buffer`);
}

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

/** Hyper-parameters of one AdamW step of one tensor (`step` counts from 1). */
export interface AdamWStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/**
 * One fused AdamW step, in place on `param`, `m` and `v`: `param ← param·(1 − lr·wd)`, then the Adam update with
 * bias correction (PyTorch `torch.optim.AdamW`, `amsgrad=False`).
 */
export function adamwStepInPlace(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamWStep): void {
  const op = "adamw";
  checkSame(op, param, grad, "gradient");
  checkSame(op, param, m, "first moment");
  checkSame(op, param, v, "second moment");
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  const params = new Uint32Array([
    param.size,
    f32Bits(1 - h.lr * h.weightDecay),
    f32Bits(h.lr / bc1),
    f32Bits(h.beta1),
    f32Bits(1 - h.beta1),
    f32Bits(h.beta2),
    f32Bits(1 - h.beta2),
    f32Bits(1 / Math.sqrt(bc2)),
    f32Bits(h.eps),
  ]);
  backend().dispatch(
    op,
    ADAMW,
    [grad.buffer()],
    [param.buffer(), m.buffer(), v.buffer()],
    params,
    grid1d(param.size),
  );
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

/** Hyper-parameters of one SGD step of one tensor. */
export interface SgdStep {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** True on the tensor's first step (the momentum buffer starts at the gradient). */
  first: boolean;
}

/** One SGD step in place (PyTorch `torch.optim.SGD` semantics; `buf` is required when `momentum > 0`). */
export function sgdStepInPlace(param: Tensor, grad: Tensor, buf: Tensor | null, h: SgdStep): void {
  const op = "sgd";
  checkSame(op, param, grad, "gradient");
  if (buf) checkSame(op, param, buf, "momentum buffer");
  const params = new Uint32Array([
    param.size,
    f32Bits(h.lr),
    f32Bits(h.weightDecay),
    f32Bits(h.momentum),
    f32Bits(1 - h.dampening),
    h.nesterov ? 1 : 0,
    h.first ? 1 : 0,
  ]);
  const outputs = buf ? [param.buffer(), buf.buffer()] : [param.buffer()];
  backend().dispatch(op, sgdSource(buf !== null), [grad.buffer()], outputs, params, grid1d(param.size));
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

/** `target ← m·target + (1 − m)·online`, in place. */
export function lerpInPlace(target: Tensor, online: Tensor, m: number): void {
  const op = "emaUpdate";
  checkSame(op, target, online, "online tensor");
  const params = new Uint32Array([target.size, f32Bits(m), f32Bits(1 - m)]);
  backend().dispatch(op, LERP, [online.buffer()], [target.buffer()], params, grid1d(target.size));
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

/**
 * The L2 norm of all `tensors` together as a 0-d tensor, plus (when `maxNorm` is given) the clip coefficient
 * `min(maxNorm / (norm + 1e-6), 1)` as a 1-element tensor. Three dispatch kinds, no readback.
 */
export function globalNorm(op: string, tensors: Tensor[], maxNorm: number): { norm: Tensor; scale: Tensor } {
  const groups = tensors.map((t) =>
    Math.max(1, Math.min(MAX_NORM_GROUPS, Math.ceil(t.size / (256 * MIN_PER_THREAD))))
  );
  const count = groups.reduce((a, b) => a + b, 0);
  const partial = Tensor.empty([Math.max(count, 1)]);
  let at = 0;
  tensors.forEach((t, k) => {
    expectDType(op, t, "f32");
    backend().dispatch(
      `${op}_sumsq`,
      SUM_SQUARES,
      [t.buffer()],
      [partial.buffer()],
      [t.size, groups[k], at],
      [groups[k]],
    );
    at += groups[k];
  });
  const norm = Tensor.empty([]);
  const scale = Tensor.empty([1]);
  backend().dispatch(
    `${op}_norm`,
    NORM_FINISH,
    [partial.buffer()],
    [norm.buffer(), scale.buffer()],
    [count, f32Bits(maxNorm)],
    [1],
  );
  partial.dispose();
  return { norm, scale };
}

/** `x ← x · scale[0]` in place, `scale` a 1-element tensor on the GPU. */
export function scaleInPlace(x: Tensor, scale: Tensor): void {
  expectDType("scaleInPlace", x, "f32");
  backend().dispatch("scaleInPlace", SCALE, [scale.buffer()], [x.buffer()], [x.size], grid1d(x.size));
}
