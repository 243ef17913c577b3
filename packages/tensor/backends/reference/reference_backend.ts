/**
 * The reference backend: the whole kernel catalogue in plain TypeScript, one obvious loop nest per kernel, with
 * float64 accumulation. It is the oracle the other backends are tested against (at small shapes: it is slow), and
 * it runs anywhere (no GPU, no WebAssembly).
 */

import type {
  AdamWArgs,
  AttentionArgs,
  AttentionBackwardArgs,
  AttentionMask,
  Backend,
  BackendFactory,
  BackendInfo,
  BackendLimits,
  ConcatPartArgs,
  DropoutArgs,
  DType,
  ElementwiseArgs,
  EmaArgs,
  GatherArgs,
  GlobalNormArgs,
  LayerNormArgs,
  LayerNormBackwardArgs,
  MatmulArgs,
  MemoryStats,
  ReduceArgs,
  RopeGatherArgs,
  RopeParams,
  RopeScatterArgs,
  ScaleArgs,
  ScatterAddArgs,
  SgdArgs,
  SoftmaxArgs,
  SoftmaxBackwardArgs,
  StorageHandle,
} from "../backend.ts";
import { compileExpr, type ExprEnv } from "./expr.ts";

/** A handle of the reference backend: host memory with a view per dtype. */
class HostStorage implements StorageHandle {
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly u8: Uint8Array;
  constructor(readonly bytes: number) {
    const buffer = new ArrayBuffer(Math.max(4, Math.ceil(bytes / 4) * 4));
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }
  view(dtype: DType): Float32Array | Int32Array | Uint32Array {
    return dtype === "f32" ? this.f32 : dtype === "i32" ? this.i32 : this.u32;
  }
}

const host = (h: StorageHandle): HostStorage => h as HostStorage;
const f32 = (h: StorageHandle): Float32Array => (h as HostStorage).f32;
const fr = Math.fround;

/** Stores a value into an integer dtype: truncation toward zero, clamped, NaN → 0. */
function toInt(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(hi, Math.max(lo, Math.trunc(v)));
}

function attends(mask: AttentionMask | null, at: number): boolean {
  if (!mask) return true;
  const bits = host(mask.handle).u32[at];
  return mask.dtype === "f32" ? (bits & 0x7fffffff) !== 0 : bits !== 0;
}

/** lowbias32, the dropout hash of the contract. */
function hash(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The position id of token n of batch element b. */
function tokenId(r: RopeParams, b: number, tokens: number, n: number): number {
  return r.ids ? host(r.ids).i32[b * tokens + n] : n;
}

/** Element k of a rotated head vector `v` (length headDim) of the token with id `id`. */
function rotate(r: RopeParams, v: (k: number) => number, k: number, id: number, transpose: boolean): number {
  const d = r.axisDim;
  const axis = d > 0 ? Math.floor(k / d) : 3;
  if (axis >= 3) return v(k);
  const within = id % r.perFrame;
  const pos = axis === 0
    ? Math.floor(id / r.perFrame)
    : axis === 1
    ? Math.floor(within / r.perRow)
    : within % r.perRow;
  const half = d / 2;
  const m = k % d;
  const even = m % 2 === 0;
  const partner = even ? k + 1 : k - 1;
  const angle = (mm: number) => pos / Math.pow(10000, (mm % half) / half);
  const s = even ? -1 : 1;
  const a = angle(m);
  if (!transpose) return v(k) * Math.cos(a) + s * v(partner) * Math.sin(a);
  return v(k) * Math.cos(a) - s * v(partner) * Math.sin(angle(even ? m + 1 : m - 1));
}

/** The plain-TypeScript implementation of {@link Backend}. */
export class ReferenceBackend implements Backend {
  readonly info: BackendInfo = {
    name: "reference",
    device: "TypeScript reference (float64 accumulation)",
    software: true,
    threads: 1,
  };
  readonly limits: BackendLimits = { maxAllocationBytes: 2 ** 31 - 4, attentionHeadDimMultiple: 1 };
  kernelCounts: Map<string, number> | null = null;
  #live = 0;
  #buffers = 0;
  #peak = 0;

  #count(name: string): void {
    if (this.kernelCounts) this.kernelCounts.set(name, (this.kernelCounts.get(name) ?? 0) + 1);
  }

  // ---------------------------------------------------------------- memory

  alloc(bytes: number): StorageHandle {
    const h = new HostStorage(bytes);
    this.#live += h.u8.byteLength;
    this.#buffers++;
    this.#peak = Math.max(this.#peak, this.#live);
    return h;
  }
  release(handle: StorageHandle): void {
    this.#live -= host(handle).u8.byteLength;
    this.#buffers--;
  }
  upload(dst: StorageHandle, data: ArrayBufferView, dstOffset = 0): void {
    host(dst).u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dstOffset);
  }
  copy(src: StorageHandle, srcOffset: number, dst: StorageHandle, dstOffset: number, bytes: number): void {
    host(dst).u8.set(host(src).u8.subarray(srcOffset, srcOffset + bytes), dstOffset);
  }
  read(src: StorageHandle, bytes: number, offset = 0): Promise<ArrayBuffer> {
    return Promise.resolve(host(src).u8.slice(offset, offset + bytes).buffer);
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  memoryStats(): MemoryStats {
    return { liveBytes: this.#live, pooledBytes: 0, peakBytes: this.#peak, liveBuffers: this.#buffers };
  }
  resetPeak(): void {
    this.#peak = this.#live;
  }
  trim(): Promise<void> {
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }

  // ---------------------------------------------------------------- kernels

  elementwise(a: ElementwiseArgs): void {
    this.#count(a.label);
    const fn = compileExpr(a.expr);
    const rank = a.shape.length;
    let n = 1;
    for (const d of a.shape) n *= d;
    const views = a.inputs.map((x) => host(x.handle).view(x.dtype));
    const env: ExprEnv = {
      inputs: new Float64Array(a.inputs.length),
      scalars: Float64Array.from(a.scalars, fr),
      index: 0,
    };
    const out = host(a.out).view(a.outDType);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        for (let d = rank - 1; d >= 0; d--) {
          if (++idx[d] < a.shape[d]) break;
          idx[d] = 0;
        }
      }
      a.inputs.forEach((x, k) => {
        let at = x.offset;
        for (let d = 0; d < rank; d++) at += idx[d] * x.strides[d];
        env.inputs[k] = views[k][at];
      });
      env.index = i;
      const v = fn(env);
      if (a.outDType === "f32") out[i] = v;
      else if (a.outDType === "i32") out[i] = toInt(v, -2147483648, 2147483647);
      else out[i] = toInt(v, 0, 4294967295);
    }
  }

  reduce(a: ReduceArgs): void {
    this.#count(a.kind);
    const x = f32(a.x);
    const out = f32(a.out);
    for (let o = 0; o < a.outer; o++) {
      for (let n = 0; n < a.inner; n++) {
        let acc = a.kind === "sum" ? 0 : a.kind === "max" ? -3.4e38 : 3.4e38;
        for (let j = 0; j < a.r; j++) {
          const v = x[(o * a.r + j) * a.inner + n];
          acc = a.kind === "sum" ? acc + v : a.kind === "max" ? Math.max(acc, v) : Math.min(acc, v);
        }
        out[o * a.inner + n] = acc * fr(a.scale);
      }
    }
  }

  matmul(p: MatmulArgs): void {
    this.#count("matmul");
    const A = f32(p.a);
    const B = f32(p.b);
    const bias = p.bias ? f32(p.bias) : null;
    const C = f32(p.out);
    const { m, n, k } = p;
    for (let z = 0; z < p.outBatches; z++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = z * p.accBatch; t < (z + 1) * p.accBatch; t++) {
            const a0 = t * p.strideA;
            const b0 = t * p.strideB;
            for (let q = 0; q < k; q++) {
              s += A[a0 + (p.transA ? q * m + i : i * k + q)] * B[b0 + (p.transB ? j * k + q : q * n + j)];
            }
          }
          C[(z * m + i) * n + j] = s + (bias ? bias[j] : 0);
        }
      }
    }
  }

  softmax(a: SoftmaxArgs): void {
    this.#count(a.kind);
    const x = f32(a.x);
    const y = f32(a.out);
    for (let r = 0; r < a.rows; r++) {
      const base = r * a.n;
      let m = -Infinity;
      for (let j = 0; j < a.n; j++) m = Math.max(m, x[base + j]);
      let s = 0;
      for (let j = 0; j < a.n; j++) s += Math.exp(x[base + j] - m);
      for (let j = 0; j < a.n; j++) {
        y[base + j] = a.kind === "softmax" ? Math.exp(x[base + j] - m) / s : x[base + j] - m - Math.log(s);
      }
    }
  }

  softmaxBackward(a: SoftmaxBackwardArgs): void {
    this.#count(`${a.kind}Backward`);
    const y = f32(a.y);
    const g = f32(a.g);
    const dx = f32(a.out);
    for (let r = 0; r < a.rows; r++) {
      const base = r * a.n;
      let t = 0;
      for (let j = 0; j < a.n; j++) t += a.kind === "softmax" ? g[base + j] * y[base + j] : g[base + j];
      for (let j = 0; j < a.n; j++) {
        const at = base + j;
        dx[at] = a.kind === "softmax" ? y[at] * (g[at] - t) : g[at] - Math.exp(y[at]) * t;
      }
    }
  }

  layerNorm(a: LayerNormArgs): void {
    this.#count("layerNorm");
    const x = f32(a.x);
    const y = f32(a.out);
    const w = a.weight ? f32(a.weight) : null;
    const b = a.bias ? f32(a.bias) : null;
    for (let r = 0; r < a.rows; r++) {
      const base = r * a.d;
      let s = 0;
      for (let j = 0; j < a.d; j++) s += x[base + j];
      const mean = s / a.d;
      let q = 0;
      for (let j = 0; j < a.d; j++) q += (x[base + j] - mean) ** 2;
      const rstd = 1 / Math.sqrt(q / a.d + fr(a.eps));
      for (let j = 0; j < a.d; j++) {
        const v = (x[base + j] - mean) * rstd;
        y[base + j] = w && b ? v * w[j] + b[j] : v;
      }
      f32(a.mean)[r] = mean;
      f32(a.rstd)[r] = rstd;
    }
  }

  layerNormBackward(a: LayerNormBackwardArgs): void {
    this.#count("layerNormBackward");
    const x = f32(a.x);
    const g = f32(a.g);
    const dx = f32(a.dx);
    const w = a.weight ? f32(a.weight) : null;
    for (let r = 0; r < a.rows; r++) {
      const base = r * a.d;
      const mean = f32(a.mean)[r];
      const rstd = f32(a.rstd)[r];
      let c1 = 0;
      let c2 = 0;
      for (let j = 0; j < a.d; j++) {
        const gh = g[base + j] * (w ? w[j] : 1);
        c2 += gh;
        c1 += gh * (x[base + j] - mean) * rstd;
      }
      c1 /= a.d;
      c2 /= a.d;
      for (let j = 0; j < a.d; j++) {
        const gh = g[base + j] * (w ? w[j] : 1);
        dx[base + j] = (gh - (x[base + j] - mean) * rstd * c1 - c2) * rstd;
      }
    }
  }

  /** Scaled scores of one query row against every key (−∞ where masked). */
  #scores(a: AttentionArgs | AttentionBackwardArgs, bh: number, i: number): Float64Array {
    const q = f32(a.q);
    const k = f32(a.k);
    const b = Math.floor(bh / a.heads);
    const s = new Float64Array(a.nk);
    for (let j = 0; j < a.nk; j++) {
      if (!attends(a.mask, b * a.nk + j)) {
        s[j] = -Infinity;
        continue;
      }
      let dot = 0;
      for (let d = 0; d < a.dh; d++) dot += q[(bh * a.nq + i) * a.dh + d] * k[(bh * a.nk + j) * a.dh + d];
      s[j] = dot * a.scale;
    }
    return s;
  }

  attention(a: AttentionArgs): void {
    this.#count("attention");
    const v = f32(a.v);
    const out = f32(a.out);
    const lse = f32(a.lse);
    for (let bh = 0; bh < a.batch * a.heads; bh++) {
      for (let i = 0; i < a.nq; i++) {
        const s = this.#scores(a, bh, i);
        const m = Math.max(...s);
        const row = (bh * a.nq + i) * a.dh;
        if (m === -Infinity) {
          out.fill(0, row, row + a.dh);
          lse[bh * a.nq + i] = 0;
          continue;
        }
        let l = 0;
        for (let j = 0; j < a.nk; j++) l += Math.exp(s[j] - m);
        for (let d = 0; d < a.dh; d++) {
          let acc = 0;
          for (let j = 0; j < a.nk; j++) acc += Math.exp(s[j] - m) * v[(bh * a.nk + j) * a.dh + d];
          out[row + d] = acc / l;
        }
        lse[bh * a.nq + i] = m + Math.log(l);
      }
    }
  }

  attentionBackward(a: AttentionBackwardArgs): void {
    this.#count("attentionBackward");
    const [q, k, v, out, dout] = [a.q, a.k, a.v, a.out, a.dout].map(f32);
    const lse = f32(a.lse);
    const dq = new Float64Array(a.batch * a.heads * a.nq * a.dh);
    const dk = new Float64Array(a.batch * a.heads * a.nk * a.dh);
    const dv = new Float64Array(dk.length);
    for (let bh = 0; bh < a.batch * a.heads; bh++) {
      for (let i = 0; i < a.nq; i++) {
        const s = this.#scores(a, bh, i);
        const qi = (bh * a.nq + i) * a.dh;
        let D = 0;
        for (let d = 0; d < a.dh; d++) D += dout[qi + d] * out[qi + d];
        for (let j = 0; j < a.nk; j++) {
          if (s[j] === -Infinity) continue;
          const kj = (bh * a.nk + j) * a.dh;
          const p = Math.exp(s[j] - lse[bh * a.nq + i]);
          let dp = 0;
          for (let d = 0; d < a.dh; d++) dp += dout[qi + d] * v[kj + d];
          const ds = p * (dp - D) * a.scale;
          for (let d = 0; d < a.dh; d++) {
            dq[qi + d] += ds * k[kj + d];
            dk[kj + d] += ds * q[qi + d];
            dv[kj + d] += p * dout[qi + d];
          }
        }
      }
    }
    if (a.dq) f32(a.dq).set(dq);
    if (a.dk) f32(a.dk).set(dk);
    if (a.dv) f32(a.dv).set(dv);
  }

  gather(a: GatherArgs): void {
    this.#count("gather");
    const x = f32(a.x);
    const idx = host(a.idx).i32;
    const out = f32(a.out);
    for (let b = 0; b < a.batch; b++) {
      for (let j = 0; j < a.k; j++) {
        const t = idx[a.idxBatched ? b * a.k + j : j];
        for (let c = 0; c < a.d; c++) {
          out[(b * a.k + j) * a.d + c] = t >= 0 && t < a.n ? x[(b * a.n + t) * a.d + c] : 0;
        }
      }
    }
  }

  scatterAdd(a: ScatterAddArgs): void {
    this.#count("scatterAdd");
    const src = f32(a.src);
    const idx = host(a.idx).i32;
    const acc = a.base ? Float64Array.from(f32(a.base).subarray(0, a.batch * a.n * a.d)) : new Float64Array(
      a.batch * a.n * a.d,
    );
    for (let b = 0; b < a.batch; b++) {
      for (let j = 0; j < a.k; j++) {
        const t = idx[a.idxBatched ? b * a.k + j : j];
        if (t < 0 || t >= a.n) continue;
        for (let c = 0; c < a.d; c++) acc[(b * a.n + t) * a.d + c] += src[(b * a.k + j) * a.d + c];
      }
    }
    f32(a.out).set(acc);
  }

  concatPart(a: ConcatPartArgs): void {
    this.#count("concat");
    const x = f32(a.x);
    const out = f32(a.out);
    for (let o = 0; o < a.outer; o++) {
      const block = x.subarray(o * a.len * a.inner, (o + 1) * a.len * a.inner);
      out.set(block, (o * a.outLen + a.start) * a.inner);
    }
  }

  ropeGather(a: RopeGatherArgs): void {
    this.#count("ropeGather");
    const x = f32(a.x);
    const out = f32(a.out);
    const L = a.layout;
    for (let b = 0; b < a.batch; b++) {
      for (let h = 0; h < a.heads; h++) {
        for (let n = 0; n < a.tokens; n++) {
          const base = b * L.batch + n * L.token + h * L.head + L.offset;
          const id = tokenId(a.rope, b, a.tokens, n);
          const row = ((b * a.heads + h) * a.tokens + n) * a.headDim;
          for (let k = 0; k < a.headDim; k++) {
            out[row + k] = rotate(a.rope, (kk) => x[base + kk], k, id, a.transpose);
          }
        }
      }
    }
  }

  ropeScatter(a: RopeScatterArgs): void {
    this.#count("ropeScatter");
    const g = f32(a.g);
    const out = f32(a.out);
    out.fill(0, 0, a.batch * a.tokens * a.width);
    for (let b = 0; b < a.batch; b++) {
      for (let h = 0; h < a.heads; h++) {
        for (let n = 0; n < a.tokens; n++) {
          const base = ((b * a.heads + h) * a.tokens + n) * a.headDim;
          const id = tokenId(a.rope, b, a.tokens, n);
          const row = (b * a.tokens + n) * a.width + a.offset + h * a.headDim;
          for (let k = 0; k < a.headDim; k++) {
            out[row + k] = rotate(
              a.rope,
              (kk) => g[base + kk],
              k,
              id,
              true,
            );
          }
        }
      }
    }
  }

  dropout(a: DropoutArgs): void {
    this.#count("dropout");
    const x = f32(a.x);
    const out = f32(a.out);
    const pf = fr(a.p);
    const scale = fr(1 / fr(1 - pf));
    const mix = Math.imul(a.seed >>> 0, 0x9e3779b9) >>> 0;
    for (let i = 0; i < a.n; i++) {
      out[i] = hash((i ^ mix) >>> 0) >>> 8 >= pf * 16777216 ? x[i] * scale : 0;
    }
  }

  adamw(a: AdamWArgs): void {
    this.#count("adamw");
    const [p, g, m, v] = [a.param, a.grad, a.m, a.v].map(f32);
    const [decay, step, b1, b2, inv, eps] = [a.decay, a.stepSize, a.beta1, a.beta2, a.invSqrtBc2, a.eps].map(
      fr,
    );
    const [c1, c2] = [fr(1 - a.beta1), fr(1 - a.beta2)];
    for (let i = 0; i < a.n; i++) {
      m[i] = b1 * m[i] + c1 * g[i];
      v[i] = b2 * v[i] + c2 * g[i] * g[i];
      p[i] = p[i] * decay - step * m[i] / (Math.sqrt(v[i]) * inv + eps);
    }
  }

  sgd(a: SgdArgs): void {
    this.#count("sgd");
    const p = f32(a.param);
    const g = f32(a.grad);
    const buf = a.buf ? f32(a.buf) : null;
    const [lr, wd, mu, keep] = [a.lr, a.weightDecay, a.momentum, 1 - a.dampening].map(fr);
    for (let i = 0; i < a.n; i++) {
      let d = g[i] + wd * p[i];
      if (buf) {
        const b = a.first ? d : mu * buf[i] + keep * d;
        buf[i] = b;
        d = a.nesterov ? d + mu * b : b;
      }
      p[i] = p[i] - lr * d;
    }
  }

  ema(a: EmaArgs): void {
    this.#count("ema");
    const t = f32(a.target);
    const o = f32(a.online);
    const [m, rest] = [fr(a.momentum), fr(1 - a.momentum)];
    for (let i = 0; i < a.n; i++) t[i] = t[i] * m + rest * o[i];
  }

  globalNorm(a: GlobalNormArgs): void {
    this.#count("globalNorm");
    let s = 0;
    for (const t of a.tensors) {
      const x = f32(t.handle);
      for (let i = 0; i < t.n; i++) s += x[i] * x[i];
    }
    const norm = Math.sqrt(s);
    f32(a.norm)[0] = norm;
    f32(a.scale)[0] = Math.min(fr(a.maxNorm) / (fr(norm) + 1e-6), 1);
  }

  scale(a: ScaleArgs): void {
    this.#count("scale");
    const x = f32(a.x);
    const s = f32(a.scale)[0];
    for (let i = 0; i < a.n; i++) x[i] *= s;
  }
}

/** Creates the reference backend (always available). */
export const createReferenceBackend: BackendFactory = () => Promise.resolve(new ReferenceBackend());
