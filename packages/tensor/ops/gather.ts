/**
 * Row gather and scatter-add along the token axis, and embedding lookup.
 *
 * `gather(x [B,N,D], idx [B,K])` selects K tokens per sample — how JEPA keeps the context tokens and picks the
 * targets. Its gradient is `scatterAdd`, which sums every source row whose index points at a token: each output
 * thread loops over the K indices of its sample, so repeated indices add up correctly without float atomics
 * (WGSL has none). Indices outside [0, N) read as zero rows and are ignored by scatter-add.
 */

import { backend, grid1d } from "../backend.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { reshape } from "./shape.ts";

const GATHER = /* wgsl */ `
struct Params { b: u32, n: u32, k: u32, d: u32, idx_batch: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.b * p.k * p.d) { return; }
  let c = i % p.d;
  let row = i / p.d;
  let bi = row / p.k;
  let j = idx[select(row % p.k, row, p.idx_batch != 0u)];
  out[i] = select(0.0, x[(bi * p.n + u32(j)) * p.d + c], j >= 0 && u32(j) < p.n);
}`;

const SCATTER_ADD = /* wgsl */ `
struct Params { b: u32, n: u32, k: u32, d: u32, idx_batch: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> base: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.b * p.n * p.d) { return; }
  let c = i % p.d;
  let t = i32((i / p.d) % p.n);
  let bi = i / (p.n * p.d);
  let ib = select(0u, bi * p.k, p.idx_batch != 0u);
  var acc = base[i];
  for (var j = 0u; j < p.k; j++) {
    if (idx[ib + j] == t) { acc += src[(bi * p.k + j) * p.d + c]; }
  }
  out[i] = acc;
}`;

function checkIndex(op: string, x: Tensor, idx: Tensor): { b: number; n: number; k: number; d: number } {
  expectDType(op, x, "f32");
  expectDType(op, idx, "i32");
  if (x.rank !== 3) throw new RangeError(`${op}: expected x [B, N, D], got [${x.shape}]`);
  const [b, n, d] = x.shape;
  if (idx.rank !== 2 || (idx.shape[0] !== b && idx.shape[0] !== 1)) {
    throw new RangeError(
      `${op}: expected indices [${b}, K] (or [1, K]) for x [${x.shape}], got [${idx.shape}]`,
    );
  }
  return { b, n, k: idx.shape[1], d };
}

/** Selects `K` rows per sample: `out[b, k] = x[b, idx[b, k]]`. `idx` is i32 `[B, K]`, or `[1, K]` shared. */
export function gather(x: Tensor, idx: Tensor): Tensor {
  const { b, n, k, d } = checkIndex("gather", x, idx);
  const out = Tensor.empty([b, k, d]);
  const params = [b, n, k, d, idx.shape[0] === b && b > 1 ? 1 : 0];
  backend().dispatch("gather", GATHER, [x.buffer(), idx.buffer()], [out.buffer()], params, grid1d(b * k * d));
  return record(out, "gather", [x], (g) => [scatterAdd(null, idx, g, n)]);
}

/**
 * `base + Σ src rows at their indices`: out[b, idx[b, k]] += src[b, k]. With `base` null, starts from zeros of
 * `[B, n, D]`. Repeated indices accumulate.
 */
export function scatterAdd(base: Tensor | null, idx: Tensor, src: Tensor, n?: number): Tensor {
  expectDType("scatterAdd", src, "f32");
  if (src.rank !== 3) throw new RangeError(`scatterAdd: expected src [B, K, D], got [${src.shape}]`);
  const [b, k, d] = src.shape;
  const rows = base ? base.shape[1] : n;
  if (rows === undefined) throw new Error("scatterAdd: give a base tensor or the row count n");
  const shape = [b, rows, d];
  if (base && base.shape.join() !== shape.join()) {
    throw new RangeError(
      `scatterAdd: base [${base.shape}] does not match [${shape}] from src [${src.shape}]`,
    );
  }
  checkIndex("scatterAdd", src, idx);
  const baseT = base ?? Tensor.empty([1]);
  const zeroBase = base === null;
  const out = Tensor.empty(shape);
  const params = [b, rows, k, d, idx.shape[0] === b && b > 1 ? 1 : 0];
  const code = zeroBase ? SCATTER_ADD.replace("var acc = base[i];", "var acc = 0.0;") : SCATTER_ADD;
  backend().dispatch(
    "scatter_add",
    code,
    [baseT.buffer(), idx.buffer(), src.buffer()],
    [out.buffer()],
    params,
    grid1d(b * rows * d),
  );
  if (zeroBase) baseT.dispose();
  const inputs = base ? [base, src] : [src];
  return record(out, "scatterAdd", inputs, (g) => {
    const gs = gather(g, idx);
    return base ? [g.view(g.shape), gs] : [gs];
  });
}

/** Looks up rows of `table [V, D]` for integer indices of any shape: out `[...idx.shape, D]`. */
export function embedding(table: Tensor, idx: Tensor): Tensor {
  if (table.rank !== 2) throw new RangeError(`embedding: expected table [V, D], got [${table.shape}]`);
  const rows = gather(reshape(table, [1, ...table.shape]), reshape(idx, [1, idx.size]));
  return reshape(rows, [...idx.shape, table.shape[1]]);
}
