/**
 * Batched matrix multiplication with transpose flags and a fused bias, and `linear` on top of it.
 *
 * Gradients reuse the same kernel through the transpose flags, so no transposed copy is ever materialised. When an
 * operand is 2-D and shared across the other's batch, its gradient sums over that batch inside the kernel
 * (`accBatch`), so no per-batch partial products are stored.
 */

import type { MatmulArgs } from "../backends/backend.ts";
import { backend } from "../backends/registry.ts";
import { expectDType, record, shapeSize, Tensor } from "../tensor.ts";
import { sum } from "./reduce.ts";
import { reshape } from "./shape.ts";

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Treat `a` as stored transposed: a is [..., K, M]. */
  transA?: boolean;
  /** Treat `b` as stored transposed: b is [N, K] or [..., N, K] (PyTorch `Linear` weight layout). */
  transB?: boolean;
  /** A bias [N] added to every output row, fused into the kernel. */
  bias?: Tensor | null;
}

/** The products one kernel call computes: `outBatches` outputs, each summing `accBatch` batched products. */
export type MatmulProduct = Pick<
  MatmulArgs,
  "m" | "n" | "k" | "outBatches" | "accBatch" | "strideA" | "strideB"
>;

/** Runs C = op(A)·op(B) (+ bias) into a new tensor of `outShape` without recording the tape. */
export function matmulKernel(
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
  bias: Tensor | null,
  outShape: number[],
  pr: MatmulProduct,
): Tensor {
  const out = Tensor.empty(outShape);
  if (pr.m * pr.n * pr.outBatches === 0) return out;
  backend().matmul({
    ...pr,
    a: a.handle("matmul"),
    b: b.handle("matmul"),
    bias: bias ? bias.handle("matmul") : null,
    out: out.handle(),
    transA,
    transB,
  });
  return out;
}

/** Rows and columns of a matrix operand as used in the product (after its transpose flag). */
function matrixDims(t: Tensor, trans: boolean): [number, number] {
  const r = t.shape[t.rank - 2];
  const c = t.shape[t.rank - 1];
  return trans ? [c, r] : [r, c];
}

function describe(a: Tensor, b: Tensor, transA: boolean, transB: boolean): string {
  return `a [${a.shape}]${transA ? " (transA)" : ""} and b [${b.shape}]${transB ? " (transB)" : ""}`;
}

/**
 * Batched matrix product `op(a) · op(b) (+ bias)`.
 *
 * - `a` is [..., M, K] ([..., K, M] with `transA`); `b` is [K, N] or [..., K, N] ([N, K] / [..., N, K] with
 *   `transB`).
 * - Batch dimensions must be equal, or one operand is 2-D and shared across the other's batch.
 * - `bias` [N] is added to every row, fused into the kernel.
 *
 * The result is [..., M, N]. Gradients flow to `a`, `b` and `bias`.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false, bias = null } = options;
  expectDType("matmul", a, "f32");
  expectDType("matmul", b, "f32");
  if (a.rank < 2 || b.rank < 2) {
    throw new RangeError(`matmul: operands must have rank ≥ 2, got ${describe(a, b, transA, transB)}`);
  }
  const [m, k] = matrixDims(a, transA);
  const [kb, n] = matrixDims(b, transB);
  if (k !== kb) {
    throw new RangeError(
      `matmul: inner dimensions differ (${k} vs ${kb}) for ${describe(a, b, transA, transB)}`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const sharedA = batchA.length === 0 && batchB.length > 0;
  const sharedB = batchB.length === 0 && batchA.length > 0;
  if (!sharedA && !sharedB && batchA.join() !== batchB.join()) {
    throw new RangeError(
      `matmul: batch dimensions [${batchA}] and [${batchB}] must be equal, or one operand must be 2-D, for ${
        describe(a, b, transA, transB)
      }`,
    );
  }
  if (bias) {
    expectDType("matmul", bias, "f32");
    if (bias.rank !== 1 || bias.shape[0] !== n) {
      throw new RangeError(
        `matmul: bias must have shape [${n}], got [${bias.shape}] for ${describe(a, b, transA, transB)}`,
      );
    }
  }
  const batchShape = sharedA ? batchB : batchA;
  const batches = shapeSize(batchShape);
  const out = matmulKernel(a, b, transA, transB, bias, [...batchShape, m, n], {
    m,
    n,
    k,
    outBatches: batches,
    accBatch: 1,
    strideA: sharedA ? 0 : m * k,
    strideB: sharedB ? 0 : k * n,
  });
  const inputs = bias ? [a, b, bias] : [a, b];
  return record(out, "matmul", inputs, (g) => {
    // dC·op(B)ᵀ and op(A)ᵀ·dC, each expressed with transpose flags on the stored operands.
    const gradA = a.requiresGrad
      ? (transA
        ? product(b, g, transB, true, sharedA, batches, a.shape)
        : product(g, b, false, !transB, sharedA, batches, a.shape))
      : null;
    const gradB = b.requiresGrad
      ? (transB
        ? product(g, a, true, transA, sharedB, batches, b.shape)
        : product(a, g, !transA, false, sharedB, batches, b.shape))
      : null;
    const grads: (Tensor | null)[] = [gradA, gradB];
    if (bias) grads.push(bias.requiresGrad ? columnSums(g, n) : null);
    return grads;
  });
}

/** Sums a [..., N] gradient over every leading axis (the bias gradient). */
function columnSums(g: Tensor, n: number): Tensor {
  const rows = g.view([n === 0 ? 0 : g.size / n, n]);
  const out = sum(rows, 0);
  rows.dispose();
  return out;
}

/**
 * One gradient product `op(x)·op(y)` whose result has `shape`; when the result is a shared 2-D operand's gradient
 * (`reduceBatch`), the `batches` products are summed inside the kernel.
 */
function product(
  x: Tensor,
  y: Tensor,
  tx: boolean,
  ty: boolean,
  reduceBatch: boolean,
  batches: number,
  shape: number[],
): Tensor {
  const [m, k] = matrixDims(x, tx);
  const n = matrixDims(y, ty)[1];
  return matmulKernel(x, y, tx, ty, null, shape, {
    m,
    n,
    k,
    outBatches: reduceBatch ? 1 : batches,
    accBatch: reduceBatch ? batches : 1,
    strideA: x.rank === 2 ? 0 : m * k,
    strideB: y.rank === 2 ? 0 : k * n,
  });
}

/** A fully connected layer in PyTorch's layout: `x [..., in] · weight[out, in]ᵀ + bias[out]`. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.rank !== 2) throw new RangeError(`linear: weight must be [out, in], got [${weight.shape}]`);
  if (x.rank < 1 || x.shape[x.rank - 1] !== weight.shape[1]) {
    throw new RangeError(
      `linear: input [${x.shape}] does not end in weight's in-features ${weight.shape[1]}`,
    );
  }
  if (x.rank === 1) {
    return reshape(matmul(reshape(x, [1, x.shape[0]]), weight, { transB: true, bias }), [weight.shape[0]]);
  }
  return matmul(x, weight, { transB: true, bias });
}
