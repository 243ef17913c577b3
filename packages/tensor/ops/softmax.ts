/**
 * Softmax and log-softmax over one axis, each a fused row kernel with a fused backward kernel.
 *
 * The input is viewed as [rows, n] with the softmax axis last (another axis is moved there with `permute` and
 * back, so its gradient composes). The backward kernels read the saved output y, never the input.
 */

import type { SoftmaxArgs } from "../backends/backend.ts";
import { backend } from "../backends/registry.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { permute } from "./shape.ts";

function rowsOf(t: Tensor): { rows: number; n: number } {
  const n = t.shape[t.rank - 1];
  return { rows: n === 0 ? 0 : t.size / n, n };
}

/** Softmax or log-softmax of the last axis, with its fused backward on the tape. */
function rowSoftmax(op: string, kind: SoftmaxArgs["kind"], x: Tensor): Tensor {
  const { rows, n } = rowsOf(x);
  const y = Tensor.empty(x.shape);
  if (x.size > 0) backend().softmax({ kind, x: x.handle(op), out: y.handle(), rows, n });
  return record(y, op, [x], (g) => {
    const dx = Tensor.empty(x.shape);
    if (x.size > 0) {
      backend().softmaxBackward({ kind, y: y.handle(op), g: g.handle(op), out: dx.handle(), rows, n });
    }
    return [dx];
  });
}

/** Applies `fn` along `axis` by moving that axis last and back; both moves record their own gradients. */
function alongAxis(op: string, x: Tensor, axis: number, fn: (x: Tensor) => Tensor): Tensor {
  expectDType(op, x, "f32");
  if (x.rank === 0) throw new RangeError(`${op}: needs at least one axis, got a scalar`);
  const a = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= x.rank) {
    throw new RangeError(`${op}: axis ${axis} out of range for shape [${x.shape}]`);
  }
  if (a === x.rank - 1) return fn(x);
  const toLast = x.shape.map((_, i) => i).filter((i) => i !== a).concat([a]);
  const back = new Array<number>(x.rank);
  toLast.forEach((from, to) => (back[from] = to));
  const moved = permute(x, toLast);
  const y = fn(moved);
  const out = permute(y, back);
  if (!out.requiresGrad) {
    // Without a tape nothing refers to the intermediates; with one, the tape owns them until tidy or dispose.
    moved.dispose();
    y.dispose();
  }
  return out;
}

/** Softmax over `axis` (default last): exp(x − max) / Σ exp(x − max). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return alongAxis("softmax", x, axis, (t) => rowSoftmax("softmax", "softmax", t));
}

/** Log-softmax over `axis` (default last): x − max − log Σ exp(x − max), stable for large logits. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis("logSoftmax", x, axis, (t) => rowSoftmax("logSoftmax", "logSoftmax", t));
}
