/**
 * The matrix-product driver of the wasm backend: packs A into `[k][6]` row blocks and B into `[k][8]` column
 * panels (zero-padded, batches summed by `accBatch` laid end to end along k), then runs the SIMD 6×8 tile over
 * K-blocks of {@link K_BLOCK} so that a panel's slice stays in L1 while the row blocks stream past it. Outputs
 * whose shape is not a multiple of the tile go through a padded scratch and are copied out.
 *
 * Work is split by row blocks, so threads share the packed panels: {@link gemmPack} and {@link gemmCompute} each
 * take a thread's share and are called by the pool's tasks (or directly, on one thread).
 */

import { TILE_M, TILE_N } from "./kernel_module.ts";
import type { ThreadRuntime } from "./runtime.ts";

/** Steps of k per pass over the panels (256 measured best at 1024³). */
export const K_BLOCK = 256;

/** A matrix product on byte addresses of the memory (strides in elements), see `MatmulArgs`. */
export interface GemmSpec {
  a: number;
  b: number;
  /** Bias `[n]` address or 0. */
  bias: number;
  out: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  outBatches: number;
  accBatch: number;
  strideA: number;
  strideB: number;
  /** Add to out instead of overwriting it. */
  accumulate: boolean;
  /** Row stride of out in elements (default n). */
  ldOut?: number;
}

/** Layout of a product's scratch: packed A and B per output batch, a padded C, a padded bias row. */
export interface GemmPlan {
  spec: GemmSpec;
  kTotal: number;
  mBlocks: number;
  nPanels: number;
  /** Whether the tile writes straight into out. */
  direct: boolean;
  /** Whether A (B) is one matrix for all output batches (stride 0): packed once. */
  sharedA: boolean;
  sharedB: boolean;
  packA: number;
  packB: number;
  cPad: number;
  biasPad: number;
  /** Scratch bytes needed from the scratch base. */
  bytes: number;
}

/** Plans a product whose scratch starts at byte `scratch`. */
export function planGemm(spec: GemmSpec, scratch: number): GemmPlan {
  const kTotal = spec.k * spec.accBatch;
  const mBlocks = Math.ceil(spec.m / TILE_M);
  const nPanels = Math.ceil(spec.n / TILE_N);
  const ld = spec.ldOut ?? spec.n;
  const direct = spec.m % TILE_M === 0 && spec.n % TILE_N === 0 && ld % 4 === 0 && spec.out % 16 === 0;
  const sharedA = spec.strideA === 0 || spec.outBatches === 1;
  const sharedB = spec.strideB === 0 || spec.outBatches === 1;
  const aBytes = mBlocks * TILE_M * kTotal * 4 * (sharedA ? 1 : spec.outBatches);
  const bBytes = nPanels * TILE_N * kTotal * 4 * (sharedB ? 1 : spec.outBatches);
  const cBytes = direct ? 0 : mBlocks * TILE_M * nPanels * TILE_N * 4 * spec.outBatches;
  const align = (x: number) => Math.ceil(x / 64) * 64;
  const packA = scratch;
  const packB = align(packA + aBytes);
  const cPad = align(packB + bBytes);
  const biasPad = align(cPad + cBytes);
  const end = align(biasPad + nPanels * TILE_N * 4);
  return {
    spec,
    kTotal,
    mBlocks,
    nPanels,
    direct,
    sharedA,
    sharedB,
    packA,
    packB,
    cPad,
    biasPad,
    bytes: end - scratch,
  };
}

/** Pack items of a plan: A blocks then B panels over the batches packed separately, then the bias row. */
export function packItems(p: GemmPlan): number {
  const za = p.sharedA ? 1 : p.spec.outBatches;
  const zb = p.sharedB ? 1 : p.spec.outBatches;
  return za * p.mBlocks + zb * p.nPanels + 1;
}

/** Packs items [from, to) (see {@link packItems}). */
export function gemmPack(rt: ThreadRuntime, p: GemmPlan, from: number, to: number): void {
  const s = p.spec;
  const f = rt.f32;
  const za = p.sharedA ? 1 : s.outBatches;
  const zb = p.sharedB ? 1 : s.outBatches;
  const aItems = za * p.mBlocks;
  const bItems = zb * p.nPanels;
  const K = p.kTotal;
  const A = s.a >> 2;
  const B = s.b >> 2;
  for (let item = from; item < to; item++) {
    if (item < aItems) {
      const z = Math.floor(item / p.mBlocks);
      const ib = item - z * p.mBlocks;
      let dst = (p.packA >> 2) + (z * p.mBlocks + ib) * TILE_M * K;
      if ((ib + 1) * TILE_M <= s.m) {
        for (let t = 0; t < s.accBatch; t++, dst += TILE_M * s.k) {
          const src = A + (z * s.accBatch + t) * s.strideA + (s.transA ? ib * TILE_M : ib * TILE_M * s.k);
          const [sq, sw] = s.transA ? [s.m * 4, 4] : [4, s.k * 4];
          rt.kernels.pack6(dst * 4, src * 4, s.k, sq, sw);
        }
        continue;
      }
      for (let t = 0; t < s.accBatch; t++) {
        const src = A + (z * s.accBatch + t) * s.strideA;
        for (let q = 0; q < s.k; q++, dst += TILE_M) {
          for (let r = 0; r < TILE_M; r++) {
            const row = ib * TILE_M + r;
            f[dst + r] = row < s.m ? f[src + (s.transA ? q * s.m + row : row * s.k + q)] : 0;
          }
        }
      }
    } else if (item < aItems + bItems) {
      const z = Math.floor((item - aItems) / p.nPanels);
      const pn = item - aItems - z * p.nPanels;
      let dst = (p.packB >> 2) + (z * p.nPanels + pn) * TILE_N * K;
      const c0 = pn * TILE_N;
      const full = c0 + TILE_N <= s.n;
      if (full) {
        for (let t = 0; t < s.accBatch; t++, dst += TILE_N * s.k) {
          const src = B + (z * s.accBatch + t) * s.strideB + (s.transB ? c0 * s.k : c0);
          const [sq, sw] = s.transB ? [4, s.k * 4] : [s.n * 4, 4];
          rt.kernels.pack8(dst * 4, src * 4, s.k, sq, sw);
        }
        continue;
      }
      for (let t = 0; t < s.accBatch; t++) {
        const src = B + (z * s.accBatch + t) * s.strideB;
        for (let q = 0; q < s.k; q++, dst += TILE_N) {
          for (let c = 0; c < TILE_N; c++) {
            const col = c0 + c;
            f[dst + c] = col < s.n ? f[src + (s.transB ? col * s.k + q : q * s.n + col)] : 0;
          }
        }
      }
    } else {
      const dst = p.biasPad >> 2;
      for (let c = 0; c < p.nPanels * TILE_N; c++) f[dst + c] = s.bias && c < s.n ? f[(s.bias >> 2) + c] : 0;
    }
  }
}

/** Compute items of a plan: row blocks over all output batches. */
export function computeItems(p: GemmPlan): number {
  return p.spec.outBatches * p.mBlocks;
}

/** Computes row blocks [from, to) over every output batch (see {@link computeItems}). */
export function gemmCompute(rt: ThreadRuntime, p: GemmPlan, from: number, to: number): void {
  const s = p.spec;
  const K = p.kTotal;
  const ld = s.ldOut ?? s.n;
  const f = rt.f32;
  const tile = rt.kernels.gemmTile;
  const nPad = p.nPanels * TILE_N;
  for (let item = from; item < to; item++) {
    const z = Math.floor(item / p.mBlocks);
    const ib = item - z * p.mBlocks;
    const aBlock = p.packA + ((p.sharedA ? 0 : z * p.mBlocks) + ib) * TILE_M * K * 4;
    const bBase = p.packB + (p.sharedB ? 0 : z * p.nPanels) * TILE_N * K * 4;
    const outRow0 = s.out + (z * s.m * ld + ib * TILE_M * ld) * 4;
    const cBase = p.direct ? outRow0 : p.cPad + (z * p.mBlocks + ib) * TILE_M * nPad * 4;
    const ldc = p.direct ? ld * 4 : nPad * 4;
    const rows = Math.min(TILE_M, s.m - ib * TILE_M);
    if (s.accumulate && !p.direct) {
      for (let r = 0; r < rows; r++) {
        f.copyWithin((cBase >> 2) + r * nPad, (outRow0 >> 2) + r * ld, (outRow0 >> 2) + r * ld + s.n);
      }
    }
    if (K === 0) {
      for (let pn = 0; pn < p.nPanels; pn++) {
        const pc = cBase + pn * TILE_N * 4;
        if (s.accumulate) tile(0, 0, pc, ldc, 0, pc, ldc);
        else tile(0, 0, pc, ldc, 0, p.biasPad + pn * TILE_N * 4, 0);
      }
    }
    for (let kb = 0; kb < K; kb += K_BLOCK) {
      const kLen = Math.min(K_BLOCK, K - kb);
      for (let pn = 0; pn < p.nPanels; pn++) {
        const pc = cBase + pn * TILE_N * 4;
        const pa = aBlock + kb * TILE_M * 4;
        const pb = bBase + (pn * K + kb) * TILE_N * 4;
        if (kb > 0 || s.accumulate) tile(pa, pb, pc, ldc, kLen, pc, ldc);
        else tile(pa, pb, pc, ldc, kLen, p.biasPad + pn * TILE_N * 4, 0);
      }
    }
    if (!p.direct) {
      for (let r = 0; r < rows; r++) {
        f.copyWithin((outRow0 >> 2) + r * ld, (cBase >> 2) + r * nPad, (cBase >> 2) + r * nPad + s.n);
      }
    }
  }
}

/** Runs a whole product on the calling thread (scratch at byte `scratch`, {@link planGemm}'s `bytes` long). */
export function gemmSerial(rt: ThreadRuntime, spec: GemmSpec, scratch: number): void {
  const p = planGemm(spec, scratch);
  gemmPack(rt, p, 0, packItems(p));
  gemmCompute(rt, p, 0, computeItems(p));
}
