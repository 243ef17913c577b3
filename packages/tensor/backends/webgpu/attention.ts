/**
 * The attention kernel family: fused scaled-dot-product attention, forward and backward, tiled so the Nq×Nk score
 * matrix is never stored.
 *
 * softmax(scale · Q Kᵀ, masked) V per (batch, head), after FlashAttention (Dao et al. 2022, 2023):
 * - Forward: each thread owns a few query rows and walks the keys in blocks. Per block it scores its rows against
 *   the block's keys, updates an online softmax (running max m and sum l; the partial output is rescaled when m
 *   grows) and adds P·V. It saves only the output O and the per-row log-sum-exp, which is all backward needs to
 *   recompute any probability exactly.
 * - Backward: a small kernel forms the row term D = Σ dO ⊙ O next to the log-sum-exp; one kernel owns query rows
 *   and walks key blocks to accumulate dQ; one owns key rows and walks query blocks to accumulate dK and dV. Both
 *   recompute P = exp(S − lse) and dS = P ⊙ (dO·Vᵀ − D) block by block, so memory stays O(N·Dh).
 *
 * Kernel craft: a thread's block of scores (rows × block) lives in registers, and every vec4 it loads feeds a whole
 * row or column of that block, as in a register-blocked matmul. The Dh-long accumulators (O, dQ, dK, dV) are kept
 * in their output buffers between blocks (each row belongs to one thread) since Dh of them per row do not fit in
 * registers. Dh is a uniform loop bound, not a compile-time constant: unrolling it multiplies llvmpipe's compile
 * time by Dh/4 for no measured gain, and it lets one pipeline serve every head size. Scores are kept in base 2 (the
 * scale is pre-multiplied by log₂e) so the kernels use exp2.
 *
 * Key-padding mask: `[B, Nk]`, non-zero = attend. A query row whose keys are all masked (a batch element with no
 * valid key) outputs zeros and sends zero gradient to Q, K and V, instead of the NaNs a plain softmax would give.
 */

import type { AttentionArgs, AttentionBackwardArgs } from "../backend.ts";
import type { GpuRuntime } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

/**
 * How a kernel variant is laid out; pipelines are specialised on all of it. Each thread owns `rows` rows (query
 * rows, or key rows for dK/dV) and walks the other side in blocks of `block` rows, so every value it loads from
 * memory feeds `rows` or `block` multiply-adds held in registers (register blocking, as in a matmul kernel).
 */
interface KernelShape {
  /** Rows each thread owns. */
  rows: number;
  /** Rows of the other side scored together per step. */
  block: number;
  /** Threads per workgroup. */
  threads: number;
}

/** Below any real score in base 2, yet finite so that differences of it stay finite. */
const NEG = "-3.0e38";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** One WGSL statement per index, joined. */
const each = (n: number, line: (i: number) => string, sep = " "): string => range(n).map(line).join(sep);
/** One WGSL statement per (owned row r, block row t) pair, joined. */
const grid = (c: KernelShape, line: (r: number, t: number) => string, sep = " "): string =>
  range(c.rows).flatMap((r) => range(c.block).map((t) => line(r, t))).join(sep);
/** `max(a, max(b, …))` over names. */
const maxOf = (names: string[]): string => names.reduce((acc, n) => `max(${acc}, ${n})`);

// Scalar parameters shared by every attention kernel: sizes, the scale in base 2 (for exp2) and base e, and how to
// read the mask. The mask is a runtime flag rather than a pipeline variant so that one set of kernels (each costs
// seconds to compile on llvmpipe) serves masked and unmasked calls alike.
const PARAMS = `struct Params { nq: u32, nk: u32, heads: u32, dh4: u32, scale2: f32, scale: f32, masked: u32,
  mask_f32: u32 };
@group(0) @binding(0) var<uniform> p: Params;`;

/**
 * Declares the mask binding and `attend(j)`, true when key `j` (flat index into the mask) counts. The mask is read
 * as raw bits: an f32 is non-zero when any bit but the sign is set (so −0 counts as zero), an i32/u32 when any is.
 * Unmasked calls bind some other read-only buffer here and never read it.
 */
function maskWgsl(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read> mask: array<u32>;
fn attend(j: u32) -> bool {
  if (p.masked == 0u) { return true; }
  let bits = mask[j];
  return select(bits != 0u, (bits & 0x7fffffffu) != 0u, p.mask_f32 == 1u);
}`;
}

/** Declarations of the thread's owned rows: index `row{r}`, clamped vec4 offset `at{r}`, `live{r}` if in range. */
function ownedRows(c: KernelShape, n: string, base: string): string {
  const span = c.threads * c.rows;
  return each(c.rows, (r) =>
    `let row${r} = wid.x * ${span}u + ${r * c.threads}u + lid.x;
  let live${r} = row${r} < ${n};
  let at${r} = (${base} + min(row${r}, ${n} - 1u)) * p.dh4;`, "\n  ");
}

/** Declarations of the current block's rows: clamped index `j{t}`, vec4 offset `jat{t}`, `in{t}` if in range. */
function blockRows(c: KernelShape, start: string, n: string, base: string): string {
  return each(c.block, (t) =>
    `let j${t} = min(${start} + ${t}u, ${n} - 1u);
    let in${t} = ${start} + ${t}u < ${n};
    let jat${t} = (${base} + j${t}) * p.dh4;`, "\n    ");
}

/**
 * Forward. Per block of keys: scores S = Q Kᵀ for the thread's rows (one pass over Dh), the online-softmax
 * update, then O ← O·corr + P V (a second pass over Dh). O lives in the output buffer between blocks (each row
 * belongs to one thread) because a Dh-long accumulator per row does not fit in registers.
 */
function forwardSource(c: KernelShape): string {
  const R = c.rows;
  const T = c.block;
  return `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
${maskWgsl(4)}
@group(0) @binding(5) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;
@compute @workgroup_size(${c.threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let bh = wid.y;
  let mask0 = (bh / p.heads) * p.nk;
  ${ownedRows(c, "p.nq", "bh * p.nq")}
  ${each(R, (r) => `var m${r} = ${NEG}; var l${r} = 0.0;`, "\n  ")}
  for (var j0 = 0u; j0 < p.nk; j0 += ${T}u) {
    ${blockRows(c, "j0", "p.nk", "bh * p.nk")}
    ${each(T, (t) => `let ok${t} = in${t} && attend(mask0 + j${t});`)}
    ${grid(c, (r, t) => `var s${r}_${t} = 0.0;`)}
    for (var d = 0u; d < p.dh4; d++) {
      ${each(R, (r) => `let q${r} = q[at${r} + d];`)}
      ${each(T, (t) => `let k${t} = k[jat${t} + d];`)}
      ${grid(c, (r, t) => `s${r}_${t} += dot(q${r}, k${t});`, "\n      ")}
    }
    ${grid(c, (r, t) => `s${r}_${t} = select(${NEG}, s${r}_${t} * p.scale2, ok${t});`, "\n    ")}
    ${
    each(R, (r) =>
      `let mn${r} = ${maxOf([`m${r}`, ...range(T).map((t) => `s${r}_${t}`)])};
    let corr${r} = select(exp2(m${r} - mn${r}), 0.0, j0 == 0u);
    m${r} = mn${r};
    ${each(T, (t) => `s${r}_${t} = select(0.0, exp2(s${r}_${t} - mn${r}), ok${t});`)}
    l${r} = l${r} * corr${r} + ${range(T).map((t) => `s${r}_${t}`).join(" + ")};`, "\n    ")
  }
    for (var d = 0u; d < p.dh4; d++) {
      ${each(T, (t) => `let v${t} = v[jat${t} + d];`)}
      ${
    each(R, (r) =>
      // On the first block the output holds garbage (pooled buffer): select, never multiply, it away.
      `let o${r} = select(o[at${r} + d] * corr${r}, vec4<f32>(0.0), j0 == 0u) + ${
        range(T).map((t) => `s${r}_${t} * v${t}`).join(" + ")
      };
      if (live${r}) { o[at${r} + d] = o${r}; }`, "\n      ")
  }
    }
  }
  ${
    each(
      R,
      (r) =>
        `if (live${r}) {
    let inv = select(0.0, 1.0 / l${r}, l${r} > 0.0);
    for (var d = 0u; d < p.dh4; d++) { o[at${r} + d] = o[at${r} + d] * inv; }
    let lse_row = bh * p.nq + row${r};
    lse[lse_row] = select(0.0, m${r} + log2(l${r}), l${r} > 0.0);
  }`,
      "\n  ",
    )
  }
}`;
}

/** Row term for backward: stats[row] = (lse, D = Σ dO ⊙ O), one thread per query row. */
const ROW_TERM_WGSL = `${PARAMS}
@group(0) @binding(1) var<storage, read> o: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<vec2<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= p.nq) { return; }
  let row = gid.y * p.nq + gid.x;
  var dsum = 0.0;
  for (var d = 0u; d < p.dh4; d++) { dsum += dot(o[row * p.dh4 + d], dout[row * p.dh4 + d]); }
  stats[row] = vec2<f32>(lse[row], dsum);
}`;

const GRAD_BINDINGS = `${PARAMS}
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> stats: array<vec2<f32>>;`;

/**
 * dQ: threads own query rows and walk blocks of keys. One pass over Dh gives S and dP = dO Vᵀ; then
 * P = exp2(S − lse), dS = scale · P ⊙ (dP − D); a second pass adds dS K into dQ (kept in the output buffer).
 */
function gradQSource(c: KernelShape): string {
  const R = c.rows;
  const T = c.block;
  return `${GRAD_BINDINGS}
${maskWgsl(6)}
@group(0) @binding(7) var<storage, read_write> dq: array<vec4<f32>>;
@compute @workgroup_size(${c.threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let bh = wid.y;
  let mask0 = (bh / p.heads) * p.nk;
  ${ownedRows(c, "p.nq", "bh * p.nq")}
  ${each(R, (r) => `let st${r} = stats[bh * p.nq + min(row${r}, p.nq - 1u)];`, "\n  ")}
  for (var j0 = 0u; j0 < p.nk; j0 += ${T}u) {
    ${blockRows(c, "j0", "p.nk", "bh * p.nk")}
    ${each(T, (t) => `let ok${t} = in${t} && attend(mask0 + j${t});`)}
    ${grid(c, (r, t) => `var s${r}_${t} = 0.0; var dp${r}_${t} = 0.0;`, "\n    ")}
    for (var d = 0u; d < p.dh4; d++) {
      ${each(R, (r) => `let q${r} = q[at${r} + d]; let g${r} = dout[at${r} + d];`)}
      ${each(T, (t) => `let k${t} = k[jat${t} + d]; let v${t} = v[jat${t} + d];`)}
      ${grid(c, (r, t) => `s${r}_${t} += dot(q${r}, k${t}); dp${r}_${t} += dot(g${r}, v${t});`, "\n      ")}
    }
    ${
    grid(
      c,
      (r, t) =>
        `let ds${r}_${t} = select(0.0, exp2(s${r}_${t} * p.scale2 - st${r}.x), ok${t}) * (dp${r}_${t} - st${r}.y) * p.scale;`,
      "\n    ",
    )
  }
    for (var d = 0u; d < p.dh4; d++) {
      ${each(T, (t) => `let k${t} = k[jat${t} + d];`)}
      ${
    each(R, (r) =>
      `let a${r} = select(dq[at${r} + d], vec4<f32>(0.0), j0 == 0u) + ${
        range(T).map((t) =>
          `ds${r}_${t} * k${t}`
        ).join(" + ")
      };
      if (live${r}) { dq[at${r} + d] = a${r}; }`, "\n      ")
  }
    }
  }
}`;
}

/**
 * dK, dV: threads own key rows and walk blocks of queries: the same S, dP and dS, then dV += P dO and
 * dK += dS Q (kept in the output buffers).
 */
function gradKVSource(c: KernelShape): string {
  const R = c.rows;
  const T = c.block;
  return `${GRAD_BINDINGS}
${maskWgsl(6)}
@group(0) @binding(7) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dv: array<vec4<f32>>;
@compute @workgroup_size(${c.threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let bh = wid.y;
  let mask0 = (bh / p.heads) * p.nk;
  ${ownedRows(c, "p.nk", "bh * p.nk")}
  ${each(R, (r) => `let ok${r} = live${r} && attend(mask0 + min(row${r}, p.nk - 1u));`, "\n  ")}
  for (var i0 = 0u; i0 < p.nq; i0 += ${T}u) {
    ${blockRows(c, "i0", "p.nq", "bh * p.nq")}
    ${each(T, (t) => `let st${t} = stats[bh * p.nq + j${t}];`)}
    ${grid(c, (r, t) => `var s${r}_${t} = 0.0; var dp${r}_${t} = 0.0;`, "\n    ")}
    for (var d = 0u; d < p.dh4; d++) {
      ${each(R, (r) => `let k${r} = k[at${r} + d]; let v${r} = v[at${r} + d];`)}
      ${each(T, (t) => `let q${t} = q[jat${t} + d]; let g${t} = dout[jat${t} + d];`)}
      ${grid(c, (r, t) => `s${r}_${t} += dot(k${r}, q${t}); dp${r}_${t} += dot(v${r}, g${t});`, "\n      ")}
    }
    ${
    grid(c, (r, t) =>
      `let p${r}_${t} = select(0.0, exp2(s${r}_${t} * p.scale2 - st${t}.x), ok${r} && in${t});
    let ds${r}_${t} = p${r}_${t} * (dp${r}_${t} - st${t}.y) * p.scale;`, "\n    ")
  }
    for (var d = 0u; d < p.dh4; d++) {
      ${each(T, (t) => `let q${t} = q[jat${t} + d]; let g${t} = dout[jat${t} + d];`)}
      ${
    each(R, (r) =>
      `let av${r} = select(dv[at${r} + d], vec4<f32>(0.0), i0 == 0u) + ${
        range(T).map((t) =>
          `p${r}_${t} * g${t}`
        ).join(" + ")
      };
      let ak${r} = select(dk[at${r} + d], vec4<f32>(0.0), i0 == 0u) + ${
        range(T).map((t) => `ds${r}_${t} * q${t}`).join(" + ")
      };
      if (live${r}) { dv[at${r} + d] = av${r}; dk[at${r} + d] = ak${r}; }`, "\n      ")
  }
    }
  }
}`;
}

/**
 * Launch shapes per adapter (measured; see BENCHMARKS.md). On llvmpipe (a software adapter) every invocation is
 * one SIMD lane and each load from storage or workgroup memory costs ≈ 7 ns per lane and f32, while register math
 * is ≈ 50× cheaper; so a workgroup is one 8-lane SIMD group and each thread owns 8 rows and takes the other side 16
 * rows at a time (128 vec4 multiply-adds per 24 vec4 loads when scoring). Larger blocks load less but multiply
 * LLVM's compile time (16×16: ≈ 30 s per kernel), and workgroup-memory tiles measured no faster than storage (every
 * lane still loads every value). On hardware GPUs loads are cheap and parallelism matters, so threads own fewer
 * rows in larger workgroups (that shape passes the same tests on llvmpipe, but is not tuned on a GPU).
 */
function kernelShape(rt: GpuRuntime): KernelShape {
  return rt.info.isFallback ? { rows: 8, block: 16, threads: 8 } : { rows: 2, block: 8, threads: 64 };
}

function launch(rows: number, c: KernelShape, bh: number): [number, number] {
  return [Math.ceil(rows / (c.threads * c.rows)), bh];
}

const SOURCES = new Map<string, { forward: string; gradQ: string; gradKV: string }>();

function sources(c: KernelShape): { forward: string; gradQ: string; gradKV: string } {
  const key = `${c.rows}|${c.block}|${c.threads}`;
  let s = SOURCES.get(key);
  if (!s) SOURCES.set(key, s = { forward: forwardSource(c), gradQ: gradQSource(c), gradKV: gradKVSource(c) });
  return s;
}

function params(a: AttentionArgs | AttentionBackwardArgs): Uint32Array {
  const p = new Uint32Array(8);
  const f = new Float32Array(p.buffer);
  p.set([a.nq, a.nk, a.heads, a.dh / 4, 0, 0, a.mask ? 1 : 0, a.mask?.dtype === "f32" ? 1 : 0]);
  f[4] = a.scale * Math.LOG2E;
  f[5] = a.scale;
  return p;
}

/** Runs the attention forward (see {@link AttentionArgs}); `lse` holds the base-2 log-sum-exp of scaled scores. */
export function runAttention(rt: GpuRuntime, a: AttentionArgs): void {
  const shape = kernelShape(rt);
  const q = gpuBuffer(a.q);
  // Without a mask any read-only buffer fills the binding; the kernels do not read it.
  const mask = a.mask ? gpuBuffer(a.mask.handle) : q;
  rt.dispatch(
    "attention_forward",
    sources(shape).forward,
    [q, gpuBuffer(a.k), gpuBuffer(a.v), mask],
    [gpuBuffer(a.out), gpuBuffer(a.lse)],
    params(a),
    launch(a.nq, shape, a.batch * a.heads),
  );
}

/** Runs the attention backward (see {@link AttentionBackwardArgs}). */
export function runAttentionBackward(rt: GpuRuntime, a: AttentionBackwardArgs): void {
  const shape = kernelShape(rt);
  const p = params(a);
  const bh = a.batch * a.heads;
  const stats = rt.alloc(bh * a.nq * 8);
  rt.dispatch(
    "attention_row_term",
    ROW_TERM_WGSL,
    [gpuBuffer(a.out), gpuBuffer(a.dout), gpuBuffer(a.lse)],
    [stats],
    p,
    [Math.ceil(a.nq / 64), bh],
  );
  const q = gpuBuffer(a.q);
  const mask = a.mask ? gpuBuffer(a.mask.handle) : q;
  const inputs = [q, gpuBuffer(a.k), gpuBuffer(a.v), gpuBuffer(a.dout), stats, mask];
  if (a.dq) {
    rt.dispatch(
      "attention_grad_q",
      sources(shape).gradQ,
      inputs,
      [gpuBuffer(a.dq)],
      p,
      launch(a.nq, shape, bh),
    );
  }
  if (a.dk || a.dv) {
    // The kernel writes both; a gradient nobody wants goes to scratch memory.
    const scratch = a.dk && a.dv ? null : rt.alloc(bh * a.nk * a.dh * 4);
    const dk = a.dk ? gpuBuffer(a.dk) : scratch!;
    const dv = a.dv ? gpuBuffer(a.dv) : scratch!;
    rt.dispatch("attention_grad_kv", sources(shape).gradKV, inputs, [dk, dv], p, launch(a.nk, shape, bh));
    if (scratch) rt.release(scratch);
  }
  rt.release(stats);
}
