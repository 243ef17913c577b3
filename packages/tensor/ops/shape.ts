/**
 * Shape ops: reshape (a view), and permute, slice, broadcast and concat as strided copies through the
 * elementwise launcher, each with its gradient.
 */

import { backend } from "../backends/registry.ts";
import { elementwise, stridedElementwise } from "./elementwise.ts";
import { A, lit } from "./expr.ts";
import { record, type Shape, shapeSize, stridesOf, Tensor } from "../tensor.ts";
import { sumToShape } from "./reduce.ts";

/** Same data, new shape (one dimension may be -1). Shares the buffer. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const s = [...shape];
  const unknown = s.indexOf(-1);
  if (unknown >= 0) {
    const known = shapeSize(s.filter((_, i) => i !== unknown));
    s[unknown] = known === 0 ? 0 : x.size / known;
  }
  if (shapeSize(s) !== x.size || s.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`reshape: cannot view [${x.shape}] (${x.size} elements) as [${shape}]`);
  }
  const out = x.view(s);
  return record(out, "reshape", [x], (g) => [g.view(x.shape)]);
}

/** Reorders axes: output axis i is input axis `axes[i]`. */
export function permute(x: Tensor, axes: number[]): Tensor {
  if (axes.length !== x.rank || [...axes].sort((a, b) => a - b).some((a, i) => a !== i)) {
    throw new RangeError(`permute: [${axes}] is not a permutation of the ${x.rank} axes of [${x.shape}]`);
  }
  if (axes.every((a, i) => a === i)) return reshape(x, x.shape);
  const st = stridesOf(x.shape);
  const shape = axes.map((a) => x.shape[a]);
  const out = stridedElementwise(
    "permute",
    A,
    [{ tensor: x, strides: axes.map((a) => st[a]), offset: 0 }],
    [],
    shape,
  );
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => (inverse[a] = i));
  return record(out, "permute", [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes. */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const axes = x.shape.map((_, i) => i);
  const i = a < 0 ? a + x.rank : a;
  const j = b < 0 ? b + x.rank : b;
  [axes[i], axes[j]] = [axes[j], axes[i]];
  return permute(x, axes);
}

/** Elements `start … end−1` along `axis` (negative indices count from the end). */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const ax = axis < 0 ? axis + x.rank : axis;
  if (ax < 0 || ax >= x.rank) throw new RangeError(`slice: axis ${axis} out of range for [${x.shape}]`);
  const n = x.shape[ax];
  const s0 = start < 0 ? start + n : start;
  const e0 = end === undefined ? n : end < 0 ? end + n : end;
  if (s0 < 0 || e0 > n || s0 > e0) {
    throw new RangeError(`slice: [${start}, ${end}) out of range for axis of ${n}`);
  }
  const st = stridesOf(x.shape);
  const shape = x.shape.map((d, i) => (i === ax ? e0 - s0 : d));
  const out = stridedElementwise("slice", A, [{ tensor: x, strides: st, offset: s0 * st[ax] }], [], shape);
  return record(out, "slice", [x], (g) => [padAxis(g, ax, s0, n - e0)]);
}

const ZERO = lit(0);

/** Zero-pads `before` and `after` elements along `axis` (the gradient of slice). */
export function padAxis(x: Tensor, axis: number, before: number, after: number): Tensor {
  const parts: Tensor[] = [];
  if (before > 0) {
    parts.push(elementwise("zeros", ZERO, [], [], x.shape.map((d, i) => (i === axis ? before : d))));
  }
  parts.push(x);
  if (after > 0) {
    parts.push(elementwise("zeros", ZERO, [], [], x.shape.map((d, i) => (i === axis ? after : d))));
  }
  if (parts.length === 1) return reshape(x, x.shape);
  const out = concat(parts, axis);
  for (const p of parts) if (p !== x) p.dispose();
  return out;
}

/** Joins tensors along `axis`; all other dimensions must match. */
export function concat(xs: Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error("concat: no tensors");
  const ax = axis < 0 ? axis + xs[0].rank : axis;
  for (const x of xs) {
    if (x.rank !== xs[0].rank || x.shape.some((d, i) => i !== ax && d !== xs[0].shape[i])) {
      throw new RangeError(
        `concat: shapes ${xs.map((t) => `[${t.shape}]`).join(", ")} differ outside axis ${ax}`,
      );
    }
  }
  if (xs.length === 1) return reshape(xs[0], xs[0].shape);
  const shape = xs[0].shape.map((d, i) => (i === ax ? xs.reduce((s, t) => s + t.shape[ax], 0) : d));
  const outer = shapeSize(shape.slice(0, ax));
  const inner = shapeSize(shape.slice(ax + 1));
  const out = Tensor.empty(shape);
  let start = 0;
  for (const x of xs) {
    const len = x.shape[ax];
    if (x.size > 0) {
      backend().concatPart({
        x: x.handle("concat"),
        out: out.handle(),
        outer,
        len,
        inner,
        outLen: shape[ax],
        start,
      });
    }
    start += len;
  }
  return record(out, "concat", xs, (g) => {
    let at = 0;
    return xs.map((x) => {
      const s = slice(g, ax, at, at + x.shape[ax]);
      at += x.shape[ax];
      return s;
    });
  });
}

/** Broadcasts `x` to `shape` (gradient sums back). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const out = elementwise("broadcast", A, [x], [], shape);
  return record(out, "broadcast", [x], (g) => {
    const r = sumToShape(g, x.shape);
    return [r === g ? g.view(g.shape) : r];
  });
}

/** Inserts a size-1 axis at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const ax = axis < 0 ? axis + x.rank + 1 : axis;
  const s = [...x.shape];
  s.splice(ax, 0, 1);
  return reshape(x, s);
}
