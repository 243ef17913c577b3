/**
 * In-place parameter updates: fused AdamW, SGD with momentum, EMA (lerp), and the grad-norm reduction and rescale
 * behind `clipGradNorm`, plus {@link assign}.
 *
 * These are the only ops that write into an existing tensor's storage instead of a new one: an optimizer step must
 * not allocate, or a training loop's memory would churn. They record no tape (they run after `backward`).
 */

import { backend } from "../backends/registry.ts";
import { expectDType, Tensor } from "../tensor.ts";

function checkSame(op: string, a: Tensor, b: Tensor, what: string): void {
  expectDType(op, a, "f32");
  expectDType(op, b, "f32");
  if (a.size !== b.size || a.shape.join() !== b.shape.join()) {
    throw new RangeError(`${op}: ${what} [${b.shape}] does not match parameter [${a.shape}]`);
  }
  if (a.handle(op) === b.handle(op)) throw new Error(`${op}: ${what} shares the parameter's storage`);
}

/**
 * Copies `src`'s values into `dst` in place (same shape and dtype), ordered with every op before it; `dst` keeps
 * its identity (optimizers and modules holding it stay valid). No tape. A no-op when both share storage.
 */
export function assign(dst: Tensor, src: Tensor): void {
  const op = "assign";
  if (dst.dtype !== src.dtype || dst.shape.join() !== src.shape.join()) {
    throw new RangeError(`${op}: source ${src} does not match destination ${dst}`);
  }
  const d = dst.handle(op);
  const s = src.handle(op);
  if (d !== s) backend().copy(s, 0, d, 0, dst.size * 4);
}

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
  backend().adamw({
    param: param.handle(),
    grad: grad.handle(),
    m: m.handle(),
    v: v.handle(),
    n: param.size,
    decay: 1 - h.lr * h.weightDecay,
    stepSize: h.lr / bc1,
    beta1: h.beta1,
    beta2: h.beta2,
    invSqrtBc2: 1 / Math.sqrt(bc2),
    eps: h.eps,
  });
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
  backend().sgd({
    param: param.handle(),
    grad: grad.handle(),
    buf: buf ? buf.handle() : null,
    n: param.size,
    ...h,
  });
}

/** `target ← m·target + (1 − m)·online`, in place. */
export function lerpInPlace(target: Tensor, online: Tensor, m: number): void {
  const op = "emaUpdate";
  checkSame(op, target, online, "online tensor");
  backend().ema({ target: target.handle(), online: online.handle(), n: target.size, momentum: m });
}

/**
 * The L2 norm of all `tensors` together as a 0-d tensor, plus the clip coefficient
 * `min(maxNorm / (norm + 1e-6), 1)` as a 1-element tensor. No readback.
 */
export function globalNorm(op: string, tensors: Tensor[], maxNorm: number): { norm: Tensor; scale: Tensor } {
  for (const t of tensors) expectDType(op, t, "f32");
  const norm = Tensor.empty([]);
  const scale = Tensor.empty([1]);
  backend().globalNorm({
    tensors: tensors.map((t) => ({ handle: t.handle(op), n: t.size })),
    norm: norm.handle(),
    scale: scale.handle(),
    maxNorm,
  });
  return { norm, scale };
}

/** `x ← x · scale[0]` in place, `scale` a 1-element tensor on the device. */
export function scaleInPlace(x: Tensor, scale: Tensor): void {
  expectDType("scaleInPlace", x, "f32");
  backend().scale({ x: x.handle(), n: x.size, scale: scale.handle("scaleInPlace") });
}
