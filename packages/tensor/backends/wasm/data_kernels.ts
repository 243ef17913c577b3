/**
 * Data-movement kernels of the wasm backend on the calling thread: gather, scatter-add, concatenation parts,
 * the rotary gathers/scatter (RoPE) and dropout.
 */

import type {
  ConcatPartArgs,
  DropoutArgs,
  GatherArgs,
  RopeGatherArgs,
  RopeParams,
  RopeScatterArgs,
  ScatterAddArgs,
} from "../backend.ts";
import type { ElementAt } from "./row_kernels.ts";
import type { ThreadRuntime } from "./runtime.ts";

/** {@link GatherArgs} */
export function runGather(rt: ThreadRuntime, a: GatherArgs, at: ElementAt): void {
  const f = rt.f32;
  const [x, idx, out] = [at(a.x), at(a.idx), at(a.out)];
  for (let b = 0; b < a.batch; b++) {
    for (let j = 0; j < a.k; j++) {
      const t = rt.i32[idx + (a.idxBatched ? b * a.k + j : j)];
      const dst = out + (b * a.k + j) * a.d;
      if (t >= 0 && t < a.n) f.copyWithin(dst, x + (b * a.n + t) * a.d, x + (b * a.n + t + 1) * a.d);
      else f.fill(0, dst, dst + a.d);
    }
  }
}

/** {@link ScatterAddArgs} */
export function runScatterAdd(rt: ThreadRuntime, a: ScatterAddArgs, at: ElementAt): void {
  const f = rt.f32;
  const [idx, src, out] = [at(a.idx), at(a.src), at(a.out)];
  const total = a.batch * a.n * a.d;
  if (a.base) f.copyWithin(out, at(a.base), at(a.base) + total);
  else f.fill(0, out, out + total);
  for (let b = 0; b < a.batch; b++) {
    for (let j = 0; j < a.k; j++) {
      const t = rt.i32[idx + (a.idxBatched ? b * a.k + j : j)];
      if (t < 0 || t >= a.n) continue;
      const dst = out + (b * a.n + t) * a.d;
      const s = src + (b * a.k + j) * a.d;
      for (let c = 0; c < a.d; c++) f[dst + c] += f[s + c];
    }
  }
}

/** {@link ConcatPartArgs} */
export function runConcatPart(rt: ThreadRuntime, a: ConcatPartArgs, at: ElementAt): void {
  const [x, out] = [at(a.x), at(a.out)];
  const n = a.len * a.inner;
  for (let o = 0; o < a.outer; o++) {
    rt.f32.copyWithin(out + (o * a.outLen + a.start) * a.inner, x + o * n, x + (o + 1) * n);
  }
}

/** Per-token angle tables: cos and sin of θ(m) for each of the three axes of a head vector. */
function ropeRow(
  r: RopeParams,
  id: number,
  headDim: number,
  cos: Float64Array,
  sin: Float64Array,
): void {
  const d = r.axisDim;
  const half = d / 2;
  const within = id % r.perFrame;
  const pos = [Math.floor(id / r.perFrame), Math.floor(within / r.perRow), within % r.perRow];
  for (let k = 0; k < headDim; k++) {
    const axis = d > 0 ? Math.floor(k / d) : 3;
    if (axis >= 3) {
      cos[k] = 1;
      sin[k] = 0;
      continue;
    }
    const theta = pos[axis] / Math.pow(10000, ((k % d) % half) / half);
    cos[k] = Math.cos(theta);
    sin[k] = Math.sin(theta);
  }
}

/** Writes the rotated head vector at element `src` (stride 1) to `dst`. */
function rotate(
  f: Float32Array,
  src: number,
  dst: number,
  headDim: number,
  axisEnd: number,
  cos: Float64Array,
  sin: Float64Array,
  transpose: boolean,
): void {
  for (let k = 0; k < headDim; k++) {
    if (k >= axisEnd) {
      f[dst + k] = f[src + k];
      continue;
    }
    const even = k % 2 === 0;
    const p = even ? k + 1 : k - 1;
    const s = even ? -1 : 1;
    f[dst + k] = transpose
      ? f[src + k] * cos[k] - s * f[src + p] * sin[p]
      : f[src + k] * cos[k] + s * f[src + p] * sin[k];
  }
}

/** {@link RopeGatherArgs} */
export function runRopeGather(rt: ThreadRuntime, a: RopeGatherArgs, at: ElementAt): void {
  const f = rt.f32;
  const [x, out] = [at(a.x), at(a.out)];
  const L = a.layout;
  const cos = new Float64Array(a.headDim);
  const sin = new Float64Array(a.headDim);
  const axisEnd = Math.min(a.headDim, 3 * a.rope.axisDim);
  const ids = a.rope.ids ? at(a.rope.ids) : -1;
  for (let b = 0; b < a.batch; b++) {
    for (let n = 0; n < a.tokens; n++) {
      const id = ids >= 0 ? rt.i32[ids + b * a.tokens + n] : n;
      ropeRow(a.rope, id, a.headDim, cos, sin);
      for (let h = 0; h < a.heads; h++) {
        const src = x + b * L.batch + n * L.token + h * L.head + L.offset;
        const dst = out + ((b * a.heads + h) * a.tokens + n) * a.headDim;
        rotate(f, src, dst, a.headDim, axisEnd, cos, sin, a.transpose);
      }
    }
  }
}

/** {@link RopeScatterArgs} */
export function runRopeScatter(rt: ThreadRuntime, a: RopeScatterArgs, at: ElementAt): void {
  const f = rt.f32;
  const [g, out] = [at(a.g), at(a.out)];
  f.fill(0, out, out + a.batch * a.tokens * a.width);
  const cos = new Float64Array(a.headDim);
  const sin = new Float64Array(a.headDim);
  const axisEnd = Math.min(a.headDim, 3 * a.rope.axisDim);
  const ids = a.rope.ids ? at(a.rope.ids) : -1;
  for (let b = 0; b < a.batch; b++) {
    for (let n = 0; n < a.tokens; n++) {
      const id = ids >= 0 ? rt.i32[ids + b * a.tokens + n] : n;
      ropeRow(a.rope, id, a.headDim, cos, sin);
      for (let h = 0; h < a.heads; h++) {
        const src = g + ((b * a.heads + h) * a.tokens + n) * a.headDim;
        const dst = out + (b * a.tokens + n) * a.width + a.offset + h * a.headDim;
        rotate(f, src, dst, a.headDim, axisEnd, cos, sin, true);
      }
    }
  }
}

/** {@link DropoutArgs} */
export function runDropout(rt: ThreadRuntime, a: DropoutArgs, at: ElementAt): void {
  const f = rt.f32;
  const [x, out] = [at(a.x), at(a.out)];
  const pf = Math.fround(a.p);
  const scale = Math.fround(1 / Math.fround(1 - pf));
  const threshold = pf * 16777216;
  const mix = Math.imul(a.seed >>> 0, 0x9e3779b9) >>> 0;
  for (let i = 0; i < a.n; i++) {
    let h = (i ^ mix) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b) >>> 0;
    h ^= h >>> 16;
    f[out + i] = (h >>> 0) >>> 8 >= threshold ? f[x + i] * scale : 0;
  }
}
