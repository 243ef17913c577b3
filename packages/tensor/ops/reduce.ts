/**
 * Reductions over one axis: sum, mean, max, min; variance and multi-axis sums compose them.
 *
 * The input is viewed as [outer, R, inner] with R the reduced axis, so no transpose is needed; the backend's
 * `reduce` kernel does the rest.
 */

import type { ReduceArgs } from "../backends/backend.ts";
import { backend } from "../backends/registry.ts";
import { expectDType, record, type Shape, shapeSize, Tensor } from "../tensor.ts";
import { elementwise, square, sub } from "./elementwise.ts";
import { A, B, bin, C, lit, mul, S0, select } from "./expr.ts";

function normAxis(op: string, x: Tensor, axis: number): number {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank) throw new RangeError(`${op}: axis ${axis} out of range for shape [${x.shape}]`);
  return a;
}

/** Runs the reduction kernel; returns the result with the axis kept as size 1. */
function reduceRaw(op: string, kind: ReduceArgs["kind"], x: Tensor, axis: number, scale: number): Tensor {
  expectDType(op, x, "f32");
  const outer = shapeSize(x.shape.slice(0, axis));
  const r = x.shape[axis];
  const inner = shapeSize(x.shape.slice(axis + 1));
  const out = Tensor.empty(x.shape.map((d, i) => (i === axis ? 1 : d)));
  if (outer * inner > 0) {
    backend().reduce({ kind, x: x.handle(op), out: out.handle(), outer, r, inner, scale });
  }
  return out;
}

const MEAN_GRAD = mul(A, S0);
const EXTREMUM_GRAD = select(bin("eq", A, B), C, lit(0));

/** Sum over `axis` (negative counts from the end). */
export function sum(x: Tensor, axis = -1, keepDims = false): Tensor {
  const a = normAxis("sum", x, axis);
  const kept = reduceRaw("sum", "sum", x, a, 1);
  const out = record(kept, "sum", [x], (g) => [elementwise("sum_grad", A, [g], [], x.shape)]);
  return keepDims ? out : squeezeWithGrad(out, a);
}

/** Mean over `axis`. */
export function mean(x: Tensor, axis = -1, keepDims = false): Tensor {
  const a = normAxis("mean", x, axis);
  const r = x.shape[a];
  const kept = reduceRaw("mean", "sum", x, a, 1 / r);
  const out = record(kept, "mean", [x], (g) => [elementwise("mean_grad", MEAN_GRAD, [g], [1 / r], x.shape)]);
  return keepDims ? out : squeezeWithGrad(out, a);
}

/** Maximum over `axis`; the gradient goes to every element equal to the maximum. */
export function max(x: Tensor, axis = -1, keepDims = false): Tensor {
  return extremum("max", x, axis, keepDims);
}

/** Minimum over `axis`; the gradient goes to every element equal to the minimum. */
export function min(x: Tensor, axis = -1, keepDims = false): Tensor {
  return extremum("min", x, axis, keepDims);
}

function extremum(kind: "max" | "min", x: Tensor, axis: number, keepDims: boolean): Tensor {
  const a = normAxis(kind, x, axis);
  const kept = reduceRaw(kind, kind, x, a, 1);
  const out = record(
    kept,
    kind,
    [x],
    (g) => [elementwise(`${kind}_grad`, EXTREMUM_GRAD, [x, kept, g])],
  );
  return keepDims ? out : squeezeWithGrad(out, a);
}

/** Population variance (divides by n) over `axis`. */
export function variance(x: Tensor, axis = -1, keepDims = false): Tensor {
  const a = normAxis("variance", x, axis);
  return mean(square(sub(x, mean(x, a, true))), a, keepDims);
}

function squeezeWithGrad(t: Tensor, axis: number): Tensor {
  const v = t.view(t.shape.filter((_, i) => i !== axis));
  return record(v, "reshape", [t], (g) => [g.view(t.shape)]);
}

/**
 * Sums `x` over the axes along which `shape` was broadcast to `x.shape` (leading axes and size-1 axes), returning a
 * tensor of exactly `shape` (the input itself when nothing needs summing and the shapes already agree, else a new
 * tensor, possibly a view of the input's buffer). Used by broadcasting ops' gradients; records no tape.
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  let cur = x;
  const lead = x.rank - shape.length;
  for (let i = 0; i < x.rank; i++) {
    const target = i < lead ? 1 : shape[i - lead];
    if (target === 1 && x.shape[i] !== 1) {
      const next = reduceRaw("sum_to_shape", "sum", cur, i, 1);
      if (cur !== x) cur.dispose();
      cur = next;
    }
  }
  if (cur === x) return x.rank === shape.length ? x : x.view(shape);
  const out = cur.view(shape);
  cur.dispose();
  return out;
}
