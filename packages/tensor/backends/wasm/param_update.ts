/**
 * Parameter updates of the wasm backend, fused, in place, on the calling thread: AdamW, SGD, EMA, the global
 * gradient norm and its scale.
 */

import type { AdamWArgs, EmaArgs, GlobalNormArgs, ScaleArgs, SgdArgs } from "../backend.ts";
import type { ElementAt } from "./row_kernels.ts";
import type { ThreadRuntime } from "./runtime.ts";

const fr = Math.fround;

/** {@link AdamWArgs} */
export function runAdamW(rt: ThreadRuntime, a: AdamWArgs, at: ElementAt): void {
  const f = rt.f32;
  const [p, g, m, v] = [at(a.param), at(a.grad), at(a.m), at(a.v)];
  const [decay, step, b1, b2, inv, eps] = [a.decay, a.stepSize, a.beta1, a.beta2, a.invSqrtBc2, a.eps].map(
    fr,
  );
  const c1 = fr(1 - a.beta1);
  const c2 = fr(1 - a.beta2);
  for (let i = 0; i < a.n; i++) {
    const gi = f[g + i];
    const mi = fr(b1 * f[m + i] + c1 * gi);
    const vi = fr(b2 * f[v + i] + c2 * gi * gi);
    f[m + i] = mi;
    f[v + i] = vi;
    f[p + i] = f[p + i] * decay - step * mi / (Math.sqrt(vi) * inv + eps);
  }
}

/** {@link SgdArgs} */
export function runSgd(rt: ThreadRuntime, a: SgdArgs, at: ElementAt): void {
  const f = rt.f32;
  const [p, g] = [at(a.param), at(a.grad)];
  const buf = a.buf ? at(a.buf) : -1;
  const [lr, wd, mu, keep] = [a.lr, a.weightDecay, a.momentum, 1 - a.dampening].map(fr);
  for (let i = 0; i < a.n; i++) {
    let d = f[g + i] + wd * f[p + i];
    if (buf >= 0) {
      const b = fr(a.first ? d : mu * f[buf + i] + keep * d);
      f[buf + i] = b;
      d = a.nesterov ? d + mu * b : b;
    }
    f[p + i] = f[p + i] - lr * d;
  }
}

/** {@link EmaArgs} */
export function runEma(rt: ThreadRuntime, a: EmaArgs, at: ElementAt): void {
  const f = rt.f32;
  const [t, o] = [at(a.target), at(a.online)];
  const m = fr(a.momentum);
  const rest = fr(1 - a.momentum);
  for (let i = 0; i < a.n; i++) f[t + i] = f[t + i] * m + rest * f[o + i];
}

/** {@link GlobalNormArgs} */
export function runGlobalNorm(rt: ThreadRuntime, a: GlobalNormArgs, at: ElementAt): void {
  const f = rt.f32;
  let s = 0;
  for (const t of a.tensors) {
    const x = at(t.handle);
    for (let i = 0; i < t.n; i++) s += f[x + i] * f[x + i];
  }
  const norm = Math.sqrt(s);
  f[at(a.norm)] = norm;
  f[at(a.scale)] = Math.min(fr(a.maxNorm) / (fr(norm) + 1e-6), 1);
}

/** {@link ScaleArgs} */
export function runScale(rt: ThreadRuntime, a: ScaleArgs, at: ElementAt): void {
  const f = rt.f32;
  const x = at(a.x);
  const s = f[at(a.scale)];
  for (let i = 0; i < a.n; i++) f[x + i] *= s;
}
