/**
 * Row gather and scatter-add along the token axis, and embedding lookup.
 *
 * `gather(x [B,N,D], idx [B,K])` selects K tokens per sample — how JEPA keeps the context tokens and picks the
 * targets. Its gradient is `scatterAdd`, which sums every source row whose index points at a token, so repeated
 * indices add up. Indices outside [0, N) read as zero rows and are ignored by scatter-add.
 */

import { backend } from "../backends/registry.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { reshape } from "./shape.ts";

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
  const idxBatched = idx.shape[0] === b && b > 1;
  if (out.size > 0) {
    backend().gather({ x: x.handle(), idx: idx.handle(), out: out.handle(), batch: b, n, k, d, idxBatched });
  }
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
  const out = Tensor.empty(shape);
  if (out.size > 0) {
    backend().scatterAdd({
      base: base ? base.handle("scatterAdd") : null,
      idx: idx.handle(),
      src: src.handle(),
      out: out.handle(),
      batch: b,
      n: rows,
      k,
      d,
      idxBatched: idx.shape[0] === b && b > 1,
    });
  }
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
