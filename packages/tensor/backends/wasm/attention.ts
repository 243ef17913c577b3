/**
 * Fused attention forward and backward of the wasm backend, per (batch element, head), in blocks of
 * {@link QUERY_BLOCK} query rows: the scores of one block (`[QUERY_BLOCK, nk]`) are the only score storage, so long
 * sequences never hold nq×nk; the products run on the SIMD matmul driver, the softmax in between on the calling
 * thread. The backward recomputes P from the saved log-sum-exp (natural log of the scaled scores). Threads split
 * the (batch, head) pairs; each has its own scratch.
 */

import { gemmSerial, type GemmSpec, planGemm } from "./gemm.ts";
import type { ThreadRuntime } from "./runtime.ts";

/** Query rows per block (a multiple of the 6-row tile). */
export const QUERY_BLOCK = 48;

/** An attention call on byte addresses (0 = absent). */
export interface AttentionJob {
  q: number;
  k: number;
  v: number;
  mask: number;
  maskF32: boolean;
  out: number;
  lse: number;
  dout: number;
  dq: number;
  dk: number;
  dv: number;
  batch: number;
  heads: number;
  nq: number;
  nk: number;
  dh: number;
  scale: number;
  scratch: number;
  scratchStride: number;
}

const FIELDS = [
  "q",
  "k",
  "v",
  "mask",
  "maskF32",
  "out",
  "lse",
  "dout",
  "dq",
  "dk",
  "dv",
  "batch",
  "heads",
  "nq",
  "nk",
  "dh",
  "scale",
  "scratch",
  "scratchStride",
] as const;

/** Writes a job into a parameter block. */
export function encodeAttention(j: AttentionJob, out: Float64Array): void {
  FIELDS.forEach((f, i) => out[i] = +j[f]);
}

/** Reads a job from a parameter block. */
export function decodeAttention(p: Float64Array): AttentionJob {
  return {
    q: p[0],
    k: p[1],
    v: p[2],
    mask: p[3],
    maskF32: p[4] !== 0,
    out: p[5],
    lse: p[6],
    dout: p[7],
    dq: p[8],
    dk: p[9],
    dv: p[10],
    batch: p[11],
    heads: p[12],
    nq: p[13],
    nk: p[14],
    dh: p[15],
    scale: p[16],
    scratch: p[17],
    scratchStride: p[18],
  };
}

const gemmArgs = (
  over: Partial<GemmSpec> & Pick<GemmSpec, "a" | "b" | "out" | "m" | "n" | "k">,
): GemmSpec => ({
  bias: 0,
  transA: false,
  transB: false,
  outBatches: 1,
  accBatch: 1,
  strideA: 0,
  strideB: 0,
  accumulate: false,
  ...over,
});

/** Scratch bytes one thread needs for a job (two score blocks plus the matmul driver's packing). */
export function attentionScratchBytes(j: AttentionJob): number {
  const scores = Math.ceil(QUERY_BLOCK * j.nk * 4 / 64) * 64;
  const worst = Math.max(
    planGemm(gemmArgs({ a: 0, b: 0, out: 0, m: QUERY_BLOCK, n: j.nk, k: j.dh, transB: true }), 0).bytes,
    planGemm(gemmArgs({ a: 0, b: 0, out: 0, m: QUERY_BLOCK, n: j.dh, k: j.nk }), 0).bytes,
    planGemm(gemmArgs({ a: 0, b: 0, out: 0, m: j.nk, n: j.dh, k: QUERY_BLOCK, transA: true }), 0).bytes,
  );
  return 2 * scores + worst + 64;
}

function attended(rt: ThreadRuntime, j: AttentionJob, b: number, key: number): boolean {
  if (!j.mask) return true;
  const bits = rt.u32[(j.mask >> 2) + b * j.nk + key];
  return j.maskF32 ? (bits & 0x7fffffff) !== 0 : bits !== 0;
}

/** Forward for (batch·head) pairs [from, to). */
export function attentionForwardRange(
  rt: ThreadRuntime,
  j: AttentionJob,
  from: number,
  to: number,
  scratch: number,
): void {
  const { nq, nk, dh, scale } = j;
  const S = scratch;
  const gemmScratch = scratch + 2 * Math.ceil(QUERY_BLOCK * nk * 4 / 64) * 64;
  const keep = new Uint8Array(nk);
  for (let bh = from; bh < to; bh++) {
    const b = Math.floor(bh / j.heads);
    for (let key = 0; key < nk; key++) keep[key] = attended(rt, j, b, key) ? 1 : 0;
    for (let i0 = 0; i0 < nq; i0 += QUERY_BLOCK) {
      const qb = Math.min(QUERY_BLOCK, nq - i0);
      gemmSerial(
        rt,
        gemmArgs({
          a: j.q + (bh * nq + i0) * dh * 4,
          b: j.k + bh * nk * dh * 4,
          out: S,
          m: qb,
          n: nk,
          k: dh,
          transB: true,
        }),
        gemmScratch,
      );
      const f = rt.f32;
      for (let r = 0; r < qb; r++) {
        const row = (S >> 2) + r * nk;
        let mx = -Infinity;
        for (let key = 0; key < nk; key++) if (keep[key]) mx = Math.max(mx, f[row + key] * scale);
        const lseAt = (j.lse >> 2) + bh * nq + i0 + r;
        if (mx === -Infinity) {
          f.fill(0, row, row + nk);
          f[lseAt] = 0;
          continue;
        }
        rt.kernels.expScaled(4 * row, 4 * row, nk, scale, mx);
        let l = 0;
        for (let key = 0; key < nk; key++) {
          if (!keep[key]) f[row + key] = 0;
          l += f[row + key];
        }
        const inv = 1 / l;
        for (let key = 0; key < nk; key++) f[row + key] *= inv;
        f[lseAt] = mx + Math.log(l);
      }
      gemmSerial(
        rt,
        gemmArgs({
          a: S,
          b: j.v + bh * nk * dh * 4,
          out: j.out + (bh * nq + i0) * dh * 4,
          m: qb,
          n: dh,
          k: nk,
        }),
        gemmScratch,
      );
    }
  }
}

/** Backward for (batch·head) pairs [from, to). */
export function attentionBackwardRange(
  rt: ThreadRuntime,
  j: AttentionJob,
  from: number,
  to: number,
  scratch: number,
): void {
  const { nq, nk, dh, scale } = j;
  const block = Math.ceil(QUERY_BLOCK * nk * 4 / 64) * 64;
  const P = scratch;
  const dS = scratch + block;
  const gemmScratch = scratch + 2 * block;
  const keep = new Uint8Array(nk);
  const D = new Float64Array(QUERY_BLOCK);
  for (let bh = from; bh < to; bh++) {
    const b = Math.floor(bh / j.heads);
    for (let key = 0; key < nk; key++) keep[key] = attended(rt, j, b, key) ? 1 : 0;
    const kBH = j.k + bh * nk * dh * 4;
    const vBH = j.v + bh * nk * dh * 4;
    for (let i0 = 0; i0 < nq; i0 += QUERY_BLOCK) {
      const qb = Math.min(QUERY_BLOCK, nq - i0);
      const qBlk = j.q + (bh * nq + i0) * dh * 4;
      const doBlk = j.dout + (bh * nq + i0) * dh * 4;
      gemmSerial(rt, gemmArgs({ a: qBlk, b: kBH, out: P, m: qb, n: nk, k: dh, transB: true }), gemmScratch);
      gemmSerial(rt, gemmArgs({ a: doBlk, b: vBH, out: dS, m: qb, n: nk, k: dh, transB: true }), gemmScratch);
      const f = rt.f32;
      for (let r = 0; r < qb; r++) {
        let d = 0;
        const at = (j.out >> 2) + (bh * nq + i0 + r) * dh;
        const gat = (doBlk >> 2) + r * dh;
        for (let c = 0; c < dh; c++) d += f[at + c] * f[gat + c];
        D[r] = d;
      }
      for (let r = 0; r < qb; r++) {
        const row = r * nk;
        const lse = f[(j.lse >> 2) + bh * nq + i0 + r];
        const p0 = P >> 2;
        const s0 = dS >> 2;
        rt.kernels.expScaled(4 * (p0 + row), 4 * (p0 + row), nk, scale, lse);
        for (let key = 0; key < nk; key++) {
          const p = keep[key] ? f[p0 + row + key] : 0;
          f[p0 + row + key] = p;
          f[s0 + row + key] = p * (f[s0 + row + key] - D[r]) * scale;
        }
      }
      const acc = i0 > 0;
      if (j.dv) {
        gemmSerial(
          rt,
          gemmArgs({
            a: P,
            b: doBlk,
            out: j.dv + bh * nk * dh * 4,
            m: nk,
            n: dh,
            k: qb,
            transA: true,
            accumulate: acc,
          }),
          gemmScratch,
        );
      }
      if (j.dk) {
        gemmSerial(
          rt,
          gemmArgs({
            a: dS,
            b: qBlk,
            out: j.dk + bh * nk * dh * 4,
            m: nk,
            n: dh,
            k: qb,
            transA: true,
            accumulate: acc,
          }),
          gemmScratch,
        );
      }
      if (j.dq) {
        gemmSerial(
          rt,
          gemmArgs({ a: dS, b: kBH, out: j.dq + (bh * nq + i0) * dh * 4, m: qb, n: dh, k: nk }),
          gemmScratch,
        );
      }
    }
  }
}
