/**
 * Row-wise kernels of the wasm backend on the calling thread (JavaScript over the memory's views; float64
 * accumulation): reduce, softmax and its backward, LayerNorm and its backward.
 */

import type {
  LayerNormArgs,
  LayerNormBackwardArgs,
  ReduceArgs,
  SoftmaxArgs,
  SoftmaxBackwardArgs,
  StorageHandle,
} from "../backend.ts";
import type { ThreadRuntime } from "./runtime.ts";

/** Element index of a handle's first element. */
export type ElementAt = (h: StorageHandle) => number;

/** {@link ReduceArgs} */
export function runReduce(rt: ThreadRuntime, a: ReduceArgs, at: ElementAt): void {
  const f = rt.f32;
  const x = at(a.x);
  const out = at(a.out);
  const scale = Math.fround(a.scale);
  const init = a.kind === "sum" ? 0 : a.kind === "max" ? -3.4e38 : 3.4e38;
  if (a.inner === 1) {
    for (let o = 0; o < a.outer; o++) {
      let acc = init;
      const row = x + o * a.r;
      if (a.kind === "sum") { for (let j = 0; j < a.r; j++) acc += f[row + j]; }
      else if (a.kind === "max") { for (let j = 0; j < a.r; j++) acc = Math.max(acc, f[row + j]); }
      else for (let j = 0; j < a.r; j++) acc = Math.min(acc, f[row + j]);
      f[out + o] = acc * scale;
    }
    return;
  }
  const acc = new Float64Array(a.inner);
  for (let o = 0; o < a.outer; o++) {
    acc.fill(init);
    for (let j = 0; j < a.r; j++) {
      const row = x + (o * a.r + j) * a.inner;
      if (a.kind === "sum") { for (let n = 0; n < a.inner; n++) acc[n] += f[row + n]; }
      else if (a.kind === "max") { for (let n = 0; n < a.inner; n++) acc[n] = Math.max(acc[n], f[row + n]); }
      else for (let n = 0; n < a.inner; n++) acc[n] = Math.min(acc[n], f[row + n]);
    }
    for (let n = 0; n < a.inner; n++) f[out + o * a.inner + n] = acc[n] * scale;
  }
}

/** {@link SoftmaxArgs} */
export function runSoftmax(rt: ThreadRuntime, a: SoftmaxArgs, at: ElementAt): void {
  const f = rt.f32;
  const x = at(a.x);
  const y = at(a.out);
  for (let r = 0; r < a.rows; r++) {
    const xb = x + r * a.n;
    const yb = y + r * a.n;
    let m = -Infinity;
    for (let j = 0; j < a.n; j++) m = Math.max(m, f[xb + j]);
    let s = 0;
    if (a.kind === "softmax") {
      for (let j = 0; j < a.n; j++) {
        const e = Math.exp(f[xb + j] - m);
        f[yb + j] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let j = 0; j < a.n; j++) f[yb + j] *= inv;
    } else {
      for (let j = 0; j < a.n; j++) s += Math.exp(f[xb + j] - m);
      const c = m + Math.log(s);
      for (let j = 0; j < a.n; j++) f[yb + j] = f[xb + j] - c;
    }
  }
}

/** {@link SoftmaxBackwardArgs} */
export function runSoftmaxBackward(rt: ThreadRuntime, a: SoftmaxBackwardArgs, at: ElementAt): void {
  const f = rt.f32;
  const [y, g, dx] = [at(a.y), at(a.g), at(a.out)];
  for (let r = 0; r < a.rows; r++) {
    const base = r * a.n;
    let t = 0;
    if (a.kind === "softmax") {
      for (let j = 0; j < a.n; j++) t += f[g + base + j] * f[y + base + j];
      for (let j = 0; j < a.n; j++) f[dx + base + j] = f[y + base + j] * (f[g + base + j] - t);
    } else {
      for (let j = 0; j < a.n; j++) t += f[g + base + j];
      for (let j = 0; j < a.n; j++) f[dx + base + j] = f[g + base + j] - Math.exp(f[y + base + j]) * t;
    }
  }
}

/** {@link LayerNormArgs} */
export function runLayerNorm(rt: ThreadRuntime, a: LayerNormArgs, at: ElementAt): void {
  const f = rt.f32;
  const x = at(a.x);
  const y = at(a.out);
  const w = a.weight ? at(a.weight) : -1;
  const b = a.bias ? at(a.bias) : -1;
  const eps = Math.fround(a.eps);
  const d = a.d;
  for (let r = 0; r < a.rows; r++) {
    const xb = x + r * d;
    const yb = y + r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += f[xb + j];
    const mean = s / d;
    let q = 0;
    for (let j = 0; j < d; j++) {
      const c = f[xb + j] - mean;
      q += c * c;
    }
    const rstd = 1 / Math.sqrt(q / d + eps);
    if (w >= 0 && b >= 0) {
      for (let j = 0; j < d; j++) f[yb + j] = (f[xb + j] - mean) * rstd * f[w + j] + f[b + j];
    } else for (let j = 0; j < d; j++) f[yb + j] = (f[xb + j] - mean) * rstd;
    f[at(a.mean) + r] = mean;
    f[at(a.rstd) + r] = rstd;
  }
}

/** {@link LayerNormBackwardArgs} */
export function runLayerNormBackward(rt: ThreadRuntime, a: LayerNormBackwardArgs, at: ElementAt): void {
  const f = rt.f32;
  const [x, g, dx, mu, rs] = [at(a.x), at(a.g), at(a.dx), at(a.mean), at(a.rstd)];
  const w = a.weight ? at(a.weight) : -1;
  const d = a.d;
  for (let r = 0; r < a.rows; r++) {
    const base = r * d;
    const mean = f[mu + r];
    const rstd = f[rs + r];
    let c1 = 0;
    let c2 = 0;
    for (let j = 0; j < d; j++) {
      const gh = f[g + base + j] * (w >= 0 ? f[w + j] : 1);
      c2 += gh;
      c1 += gh * (f[x + base + j] - mean) * rstd;
    }
    c1 /= d;
    c2 /= d;
    for (let j = 0; j < d; j++) {
      const gh = f[g + base + j] * (w >= 0 ? f[w + j] : 1);
      f[dx + base + j] = (gh - (f[x + base + j] - mean) * rstd * c1 - c2) * rstd;
    }
  }
}
