/**
 * The WebAssembly SIMD128 kernels of the wasm backend, generated at run time with the emitter: one module over the
 * backend's (shared) memory, compiled once and instantiated once per thread.
 *
 * The matrix-product micro-kernel keeps a 6×8 register tile (12 f32x4 accumulators, 2 vectors of B and one
 * splat of A: 15 of x64's 16 xmm registers; 6×8 and 3×16 measured best, 8×4 25–40 % slower) over packed operands:
 * A as `[k][6]` row blocks and B as `[k][8]` column panels, so both streams are contiguous. `f32x4.relaxed_madd`
 * (a fused multiply-add where the runtime validates it, 10–20 % faster) or mul+add otherwise.
 */

import { F32, FunctionBuilder, I32, ModuleBuilder, V128 } from "./emitter.ts";
import { type VectorMathExports, vectorMathKernels } from "./vector_math.ts";

/** Rows of the matmul register tile. */
export const TILE_M = 6;
/** Columns of the matmul register tile. */
export const TILE_N = 8;
/** Bytes per wasm page. */
export const PAGE_BYTES = 65536;
/** The largest memory the backend asks for (4 GiB: the wasm32 limit). */
export const MAX_PAGES = 65536;

/** The functions the kernel module exports. */
export interface KernelExports extends VectorMathExports {
  /**
   * One 6×8 tile: `C = init + Aᵀpanel·Bpanel` over kLen steps. `pa` is `[kLen][6]`, `pb` `[kLen][8]`; the
   * accumulators start from 6 rows of 8 floats at `pinit + r·initStride` (bytes; stride 0 repeats a bias row, or
   * `pinit = pc, initStride = ldc` accumulates into C) and are stored at `pc + r·ldc`. All pointers in bytes.
   */
  gemmTile(
    pa: number,
    pb: number,
    pc: number,
    ldc: number,
    kLen: number,
    pinit: number,
    initStride: number,
  ): void;
  /**
   * Packs a full 6-wide block: `dst[q·6 + w] = src[q·strideQ + w·strideW]` for q < count (pointers and strides in
   * bytes).
   */
  pack6(dst: number, src: number, count: number, strideQ: number, strideW: number): void;
  /** Packs a full 8-wide panel, like {@link pack6}. */
  pack8(dst: number, src: number, count: number, strideQ: number, strideW: number): void;
}

/** The packing loop for a block `width` wide: lanes unrolled, one f32 load/store each. */
function pack(width: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], []);
  const [dst, src, count, strideQ, strideW] = [0, 1, 2, 3, 4];
  const p = f.local(I32);
  f.block(() => {
    f.get(count).i32(0).i32GtS().i32Eqz().brIf(0);
    f.loop(() => {
      f.get(src).set(p);
      for (let w = 0; w < width; w++) {
        f.get(dst).get(p).f32Load(0).f32Store(4 * w);
        if (w < width - 1) f.get(p).get(strideW).i32Add().set(p);
      }
      f.get(dst).i32(4 * width).i32Add().set(dst);
      f.get(src).get(strideQ).i32Add().set(src);
      f.get(count).i32(1).i32Sub().tee(count).brIf(0);
    });
  });
  return f;
}

function gemmTile(relaxed: boolean): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32], []);
  const [pa, pb, pc, ldc, kLen, pinit, initStride] = [0, 1, 2, 3, 4, 5, 6];
  const acc = Array.from({ length: TILE_M * 2 }, () => f.local(V128));
  const b0 = f.local(V128);
  const b1 = f.local(V128);
  const a = f.local(V128);
  const row = f.local(I32);
  f.get(pinit).set(row);
  for (let r = 0; r < TILE_M; r++) {
    f.get(row).v128Load(0).set(acc[2 * r]);
    f.get(row).v128Load(16).set(acc[2 * r + 1]);
    if (r < TILE_M - 1) f.get(row).get(initStride).i32Add().set(row);
  }
  const madd = (x: number, y: number, z: number) => {
    if (relaxed) f.get(x).get(y).get(z).f32x4RelaxedMadd().set(z);
    else f.get(x).get(y).f32x4Mul().get(z).f32x4Add().set(z);
  };
  f.block(() => {
    f.get(kLen).i32(0).i32GtS().i32Eqz().brIf(0);
    f.loop(() => {
      f.get(pb).v128Load(0).set(b0);
      f.get(pb).v128Load(16).set(b1);
      for (let r = 0; r < TILE_M; r++) {
        f.get(pa).v128Load32Splat(4 * r).set(a);
        madd(a, b0, acc[2 * r]);
        madd(a, b1, acc[2 * r + 1]);
      }
      f.get(pa).i32(4 * TILE_M).i32Add().set(pa);
      f.get(pb).i32(4 * TILE_N).i32Add().set(pb);
      f.get(kLen).i32(1).i32Sub().tee(kLen).brIf(0);
    });
  });
  f.get(pc).set(row);
  for (let r = 0; r < TILE_M; r++) {
    f.get(row).get(acc[2 * r]).v128Store(0);
    f.get(row).get(acc[2 * r + 1]).v128Store(16);
    if (r < TILE_M - 1) f.get(row).get(ldc).i32Add().set(row);
  }
  return f;
}

/** Whether this runtime validates `f32x4.relaxed_madd` (relaxed SIMD). */
export function hasRelaxedSimd(): boolean {
  const m = new ModuleBuilder(1, 1, false);
  const f = new FunctionBuilder([], [F32]);
  const v = f.local(V128);
  f.f32(1).f32x4Splat().set(v);
  f.get(v).get(v).get(v).f32x4RelaxedMadd().f32x4ExtractLane(0);
  m.add("probe", f);
  try {
    return WebAssembly.validate(m.bytes() as BufferSource);
  } catch {
    return false;
  }
}

/** Whether this runtime validates SIMD128 at all. */
export function hasSimd(): boolean {
  const m = new ModuleBuilder(1, 1, false);
  const f = new FunctionBuilder([], [F32]);
  f.f32(1).f32x4Splat().f32x4ExtractLane(0);
  m.add("probe", f);
  try {
    return WebAssembly.validate(m.bytes() as BufferSource);
  } catch {
    return false;
  }
}

/** The kernel module's bytes for a memory of `pages` initial pages. */
export function kernelModuleBytes(options: { relaxed: boolean; shared: boolean; pages: number }): Uint8Array {
  const m = new ModuleBuilder(options.pages, MAX_PAGES, options.shared);
  m.add("gemmTile", gemmTile(options.relaxed));
  m.add("pack6", pack(TILE_M));
  m.add("pack8", pack(TILE_N));
  for (const [name, fn] of Object.entries(vectorMathKernels())) m.add(name, fn);
  return m.bytes();
}
