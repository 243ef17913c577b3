/**
 * The matmul kernel family: batched products with transpose flags and a fused bias.
 *
 * Kernel design (notes §0, §2): each thread keeps a block of `rows × 4·vecCols` outputs in registers and walks K in
 * steps of 4, loading its operands as vec4 along whichever axis is contiguous in memory (K for a row-major A or a
 * transposed B, M for a transposed A, N for a row-major B). Neighbouring threads of a workgroup row own neighbouring
 * vec4 columns (column block `tx + j·wx`), so each vec4 load of B or C is contiguous across the SIMD lanes of a
 * software rasteriser and coalesced on a discrete GPU, while A is shared by the whole workgroup row. No workgroup
 * memory: on llvmpipe its loads cost as much per lane as storage loads, plus barriers (BENCHMARKS.md), and on
 * discrete GPUs the register block keeps the arithmetic intensity high enough for these model sizes. Shapes whose
 * contiguous axes are not multiples of 4 take a scalar register-blocked kernel with clamped loads; the kernel and
 * its tile ({@link selectTile}) are chosen per call.
 *
 * When the front sums a shared operand's gradient over a batch (`accBatch > 1`), the batch becomes an outer loop
 * around K inside the kernel, so no per-batch partial products are stored.
 */

import type { MatmulArgs } from "../backend.ts";
import { isSoftwareAdapterName } from "./device.ts";
import type { GpuRuntime } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

/** Register-block shape of the vec4 kernel: per thread `rows × 4·vecCols` outputs; workgroup `wx × wy` threads. */
export interface MatmulTile {
  /** Output rows per thread (a multiple of 4). */
  rows: number;
  /** vec4 output columns per thread. */
  vecCols: number;
  /** Threads along N per workgroup. */
  wx: number;
  /** Threads along M per workgroup. */
  wy: number;
}

/**
 * Tiles chosen at run time by adapter and product size (measured on llvmpipe, 1024³, GFLOP per CPU-second: 8×8 →
 * 1.0, 16×32 → 2.65, 32×32 → 3.8, 64×32 → 5.0).
 *
 * On a software rasteriser every storage load becomes a loop over the SIMD lanes, so the cost is the number of
 * loaded elements per multiply-add: huge per-thread blocks win there even though their accumulators spill, and
 * workgroup size hardly matters. LLVM's compile time grows faster than the block, though (32×32: ~15 s once,
 * 64×32: ~70 s, then Mesa's shader cache keeps it), so large products get 32×32 and small ones a block that compiles
 * in well under a second. On a hardware GPU a thread keeps a 4×4 block (no spills) and 256 threads cover a 64×64
 * tile, the classic register-blocked layout.
 */
export const TILES: { softwareLarge: MatmulTile; softwareSmall: MatmulTile; hardware: MatmulTile } = {
  softwareLarge: { rows: 32, vecCols: 8, wx: 8, wy: 1 },
  softwareSmall: { rows: 8, vecCols: 2, wx: 8, wy: 8 },
  hardware: { rows: 4, vecCols: 1, wx: 16, wy: 16 },
};

/** Products with at least this many multiply-adds use the large software tile. */
const LARGE_PRODUCT = 1 << 22;

/** The register tile for a product on the runtime's adapter. */
export function selectTile(rt: GpuRuntime, m: number, n: number, k: number): MatmulTile {
  const { isFallback, adapter } = rt.info;
  if (!isFallback && !isSoftwareAdapterName(adapter)) return TILES.hardware;
  return m * n * k >= LARGE_PRODUCT && m >= 32 && n >= 32 ? TILES.softwareLarge : TILES.softwareSmall;
}

const SCALAR_TILE = { rows: 4, cols: 4, wx: 16, wy: 4 };

const PARAMS = /* wgsl */ `
struct Params {
  m: u32, n: u32, k: u32,
  acc_batch: u32,   // batches summed into each output batch (1 unless a shared operand's gradient)
  stride_a: u32,    // elements between consecutive batches of a (0: shared)
  stride_b: u32,
  stride_c: u32,
};
@group(0) @binding(0) var<uniform> p: Params;`;

const COMP = ["x", "y", "z", "w"];

/** WGSL of the vec4 register-blocked kernel for one transpose combination and tile. */
export function vec4KernelSource(transA: boolean, transB: boolean, bias: boolean, tile: MatmulTile): string {
  const { rows, vecCols, wx, wy } = tile;
  const lines: string[] = [];
  const emit = (s: string) => lines.push(s);
  // Loads of one K-step of 4.
  if (!transA) {
    for (let i = 0; i < rows; i++) emit(`let a${i} = A[(a_base + row${i} * p.k + k) / 4u];`);
  } else {
    for (let kk = 0; kk < 4; kk++) {
      for (let iv = 0; iv < rows / 4; iv++) {
        emit(`let at${kk}_${iv} = A[(a_base + (k + ${kk}u) * p.m + rowv${iv}) / 4u];`);
      }
    }
  }
  if (!transB) {
    for (let kk = 0; kk < 4; kk++) {
      for (let j = 0; j < vecCols; j++) {
        emit(`let b${kk}_${j} = B[(b_base + (k + ${kk}u) * p.n) / 4u + colv${j}];`);
      }
    }
  } else {
    for (let j = 0; j < vecCols; j++) {
      for (let c = 0; c < 4; c++) {
        emit(`let bt${j}_${c} = B[(b_base + (colv${j} * 4u + ${c}u) * p.k + k) / 4u];`);
      }
    }
  }
  const aElem = (i: number, kk: number) => transA ? `at${kk}_${i >> 2}.${COMP[i & 3]}` : `a${i}.${COMP[kk]}`;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < vecCols; j++) {
      if (transB && !transA) {
        const dots = [0, 1, 2, 3].map((c) => `dot(a${i}, bt${j}_${c})`).join(", ");
        emit(`c${i}_${j} += vec4<f32>(${dots});`);
      } else {
        for (let kk = 0; kk < 4; kk++) {
          const bVec = transB
            ? `vec4<f32>(${[0, 1, 2, 3].map((c) => `bt${j}_${c}.${COMP[kk]}`).join(", ")})`
            : `b${kk}_${j}`;
          emit(`c${i}_${j} += ${aElem(i, kk)} * ${bVec};`);
        }
      }
    }
  }
  const body = lines.map((l) => `        ${l}`).join("\n");

  const decl: string[] = [];
  for (let i = 0; i < rows; i++) {
    decl.push(`  let row${i} = min(r0 + ${i}u, p.m - 1u);`);
    for (let j = 0; j < vecCols; j++) decl.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
  }
  if (transA) {
    for (let iv = 0; iv < rows / 4; iv++) decl.push(`  let rowv${iv} = min(r0 + ${iv * 4}u, p.m - 4u);`);
  }
  for (let j = 0; j < vecCols; j++) {
    decl.push(`  let col${j} = c0 + ${j * wx}u;`);
    decl.push(`  let colv${j} = min(col${j}, p.n / 4u - 1u);`);
  }
  const store: string[] = [];
  for (let j = 0; j < vecCols; j++) {
    if (bias) store.push(`  let bias${j} = bias_v[colv${j}];`);
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < vecCols; j++) {
      store.push(
        `  if (r0 + ${i}u < p.m && col${j} < p.n / 4u) { C[(c_base + (r0 + ${i}u) * p.n) / 4u + col${j}] = c${i}_${j}${
          bias ? ` + bias${j}` : ""
        }; }`,
      );
    }
  }
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
${bias ? "@group(0) @binding(3) var<storage, read> bias_v: array<vec4<f32>>;\n" : ""}@group(0) @binding(${
    bias ? 4 : 3
  }) var<storage, read_write> C: array<vec4<f32>>;
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r0 = (wg.y * ${wy}u + lid.y) * ${rows}u;
  let c0 = wg.x * ${wx * vecCols}u + lid.x;
${decl.join("\n")}
  for (var s = 0u; s < p.acc_batch; s++) {
    let batch = wg.z * p.acc_batch + s;
    let a_base = batch * p.stride_a;
    let b_base = batch * p.stride_b;
    for (var k = 0u; k < p.k; k += 4u) {
${body}
    }
  }
  let c_base = wg.z * p.stride_c;
${store.join("\n")}
}`;
}

/** WGSL of the scalar fallback for shapes the vec4 kernel cannot take (contiguous axes not multiples of 4). */
function scalarKernelSource(transA: boolean, transB: boolean, bias: boolean): string {
  const { rows, cols, wx, wy } = SCALAR_TILE;
  const decl: string[] = [];
  const body: string[] = [];
  const store: string[] = [];
  for (let i = 0; i < rows; i++) {
    decl.push(`  let row${i} = min(r0 + ${i}u, p.m - 1u);`);
    body.push(`      let a${i} = A[a_base + row${i} * sam + k * sak];`);
  }
  for (let j = 0; j < cols; j++) {
    decl.push(`  let col${j} = c0 + ${j * wx}u;`);
    decl.push(`  let colc${j} = min(col${j}, p.n - 1u);`);
    body.push(`      let b${j} = B[b_base + k * sbk + colc${j} * sbn];`);
    if (bias) store.push(`  let bias${j} = bias_s[colc${j}];`);
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      decl.push(`  var c${i}_${j} = 0.0;`);
      body.push(`      c${i}_${j} += a${i} * b${j};`);
      store.push(
        `  if (r0 + ${i}u < p.m && col${j} < p.n) { C[c_base + (r0 + ${i}u) * p.n + col${j}] = c${i}_${j}${
          bias ? ` + bias${j}` : ""
        }; }`,
      );
    }
  }
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
${bias ? "@group(0) @binding(3) var<storage, read> bias_s: array<f32>;\n" : ""}@group(0) @binding(${
    bias ? 4 : 3
  }) var<storage, read_write> C: array<f32>;
// Element strides of A (m, k) and B (k, n) follow from the transpose flags.
const trans_a = ${transA};
const trans_b = ${transB};
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r0 = (wg.y * ${wy}u + lid.y) * ${rows}u;
  let c0 = wg.x * ${wx * cols}u + lid.x;
  let sam = select(p.k, 1u, trans_a);
  let sak = select(1u, p.m, trans_a);
  let sbk = select(p.n, 1u, trans_b);
  let sbn = select(1u, p.k, trans_b);
${decl.join("\n")}
  for (var s = 0u; s < p.acc_batch; s++) {
    let batch = wg.z * p.acc_batch + s;
    let a_base = batch * p.stride_a;
    let b_base = batch * p.stride_b;
    for (var k = 0u; k < p.k; k++) {
${body.join("\n")}
    }
  }
  let c_base = wg.z * p.stride_c;
${store.join("\n")}
}`;
}

const sourceCache = new Map<string, string>();

function cachedSource(key: string, make: () => string): string {
  let s = sourceCache.get(key);
  if (s === undefined) sourceCache.set(key, s = make());
  return s;
}

/** Whether the vec4 kernel can take a product: every vec4-loaded axis must be a multiple of 4. */
function vec4Fits(transA: boolean, pr: MatmulArgs): boolean {
  return pr.k % 4 === 0 && pr.n % 4 === 0 && (!transA || pr.m % 4 === 0);
}

/** Runs one product (see {@link MatmulArgs}); `tile` overrides the vec4 kernel's register block (benchmarks). */
export function runMatmul(rt: GpuRuntime, pr: MatmulArgs, tile?: MatmulTile): void {
  const { transA, transB } = pr;
  const bias = pr.bias !== null;
  const inputs = [gpuBuffer(pr.a), gpuBuffer(pr.b)];
  if (pr.bias) inputs.push(gpuBuffer(pr.bias));
  const out = [gpuBuffer(pr.out)];
  const params = [pr.m, pr.n, pr.k, pr.accBatch, pr.strideA, pr.strideB, pr.m * pr.n];
  if (pr.k === 0 || pr.accBatch === 0) {
    // An empty contraction still has to write every output (zeros, or the bias).
    const code = cachedSource(`fill|${bias}`, () => fillSource(bias));
    const groups = Math.ceil((pr.m * pr.n) / 64);
    rt.dispatch("matmul_fill", code, bias ? [inputs[2]] : [], out, params, [groups, 1, pr.outBatches]);
    return;
  }
  if (vec4Fits(transA, pr)) {
    const t = tile ?? selectTile(rt, pr.m, pr.n, pr.k);
    const key = `v|${transA}|${transB}|${bias}|${t.rows}|${t.vecCols}|${t.wx}|${t.wy}`;
    const code = cachedSource(key, () => vec4KernelSource(transA, transB, bias, t));
    const groups: [number, number, number] = [
      Math.ceil(pr.n / (4 * t.vecCols * t.wx)),
      Math.ceil(pr.m / (t.rows * t.wy)),
      pr.outBatches,
    ];
    rt.dispatch(`matmul_${transA ? "t" : "n"}${transB ? "t" : "n"}`, code, inputs, out, params, groups);
  } else {
    const code = cachedSource(
      `s|${transA}|${transB}|${bias}`,
      () => scalarKernelSource(transA, transB, bias),
    );
    const { rows, cols, wx, wy } = SCALAR_TILE;
    const groups: [number, number, number] = [
      Math.ceil(pr.n / (cols * wx)),
      Math.ceil(pr.m / (rows * wy)),
      pr.outBatches,
    ];
    rt.dispatch("matmul_scalar", code, inputs, out, params, groups);
  }
}

function fillSource(bias: boolean): string {
  return `${PARAMS}
${bias ? "@group(0) @binding(1) var<storage, read> bias_s: array<f32>;\n" : ""}@group(0) @binding(${
    bias ? 2 : 1
  }) var<storage, read_write> C: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.m * p.n) { return; }
  C[gid.z * p.stride_c + i] = ${bias ? "bias_s[i % p.n]" : "0.0"};
}`;
}
