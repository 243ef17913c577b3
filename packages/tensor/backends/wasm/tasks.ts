/**
 * The work a fork of the thread pool can run, by number: each task reads its parameters from a Float64Array and
 * does thread `tid`'s share of `threads`. The same table is loaded by the main thread and every worker.
 */

import { attentionBackwardRange, attentionForwardRange, decodeAttention } from "./attention.ts";
import { computeItems, gemmCompute, gemmPack, type GemmSpec, packItems, planGemm } from "./gemm.ts";
import type { ThreadRuntime } from "./runtime.ts";

/** A task: thread `tid` of `threads` does its share. */
export type Task = (rt: ThreadRuntime, params: Float64Array, tid: number, threads: number) => void;

/** Task numbers. */
export const TASK = { gemmPack: 0, gemmCompute: 1, attention: 2, attentionBackward: 3, gelu: 4 } as const;

/**
 * GELU over `n` elements (byte pointers x, g, out; `backward` nonzero for out = g·gelu'(x)) for elements [from, to):
 * the one body the single-thread path and every worker's share run.
 */
export function geluRange(rt: ThreadRuntime, p: Float64Array, from: number, to: number): void {
  if (to <= from) return;
  const [x, g, out, , backward] = p;
  if (backward) rt.kernels.geluBackward(x + 4 * from, g + 4 * from, out + 4 * from, to - from);
  else rt.kernels.geluForward(x + 4 * from, out + 4 * from, to - from);
}

/** Slots of {@link GemmSpec} in a parameter block, followed by the scratch address. */
export function encodeGemm(s: GemmSpec, scratch: number, out: Float64Array): void {
  out.set([
    s.a,
    s.b,
    s.bias,
    s.out,
    s.m,
    s.n,
    s.k,
    +s.transA,
    +s.transB,
    s.outBatches,
    s.accBatch,
    s.strideA,
    s.strideB,
    +s.accumulate,
    s.ldOut ?? s.n,
    scratch,
  ]);
}

function decodeGemm(p: Float64Array): GemmSpec {
  return {
    a: p[0],
    b: p[1],
    bias: p[2],
    out: p[3],
    m: p[4],
    n: p[5],
    k: p[6],
    transA: p[7] !== 0,
    transB: p[8] !== 0,
    outBatches: p[9],
    accBatch: p[10],
    strideA: p[11],
    strideB: p[12],
    accumulate: p[13] !== 0,
    ldOut: p[14],
  };
}

/** The share [from, to) of `items` for thread `tid` of `threads`. */
export function share(items: number, tid: number, threads: number): [number, number] {
  return [Math.floor(items * tid / threads), Math.floor(items * (tid + 1) / threads)];
}

/** The task table. */
export const TASKS: readonly Task[] = [
  (rt, p, tid, threads) => {
    const plan = planGemm(decodeGemm(p), p[15]);
    const [from, to] = share(packItems(plan), tid, threads);
    gemmPack(rt, plan, from, to);
  },
  (rt, p, tid, threads) => {
    const plan = planGemm(decodeGemm(p), p[15]);
    const [from, to] = share(computeItems(plan), tid, threads);
    gemmCompute(rt, plan, from, to);
  },
  (rt, p, tid, threads) => {
    const a = decodeAttention(p);
    const [from, to] = share(a.batch * a.heads, tid, threads);
    attentionForwardRange(rt, a, from, to, a.scratch + tid * a.scratchStride);
  },
  (rt, p, tid, threads) => {
    const a = decodeAttention(p);
    const [from, to] = share(a.batch * a.heads, tid, threads);
    attentionBackwardRange(rt, a, from, to, a.scratch + tid * a.scratchStride);
  },
  (rt, p, tid, threads) => {
    // Shares in whole vectors of four, so only the last share has a scalar tail.
    const [from, to] = share(Math.ceil(p[3] / 4), tid, threads);
    geluRange(rt, p, 4 * from, Math.min(4 * to, p[3]));
  },
];
