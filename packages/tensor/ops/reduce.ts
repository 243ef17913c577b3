/**
 * Reductions over one axis: sum, mean, max, min; variance and multi-axis sums compose them.
 *
 * The input is viewed as [outer, R, inner] with R the reduced axis, so no transpose is needed. Two kernels: one
 * thread per output when R is short or outputs are many (each thread walks R), and one workgroup per output with a
 * tree reduction in workgroup memory when R is long and outputs are few (e.g. a bias gradient summed over tokens).
 */

import { backend, grid1d } from "../backend.ts";
import { expectDType, record, type Shape, shapeSize, Tensor } from "../tensor.ts";
import { elementwise, square, sub } from "./elementwise.ts";

type ReduceKind = "sum" | "max" | "min";

const INIT: Record<ReduceKind, string> = { sum: "0.0", max: "-3.4e38", min: "3.4e38" };
const COMBINE: Record<ReduceKind, (a: string, b: string) => string> = {
  sum: (a, b) => `${a} + ${b}`,
  max: (a, b) => `max(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
};

const HEADER = /* wgsl */ `
struct Params { outer: u32, r: u32, inner: u32, scale: f32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
`;

function perThreadSource(kind: ReduceKind): string {
  return `${HEADER}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.outer * p.inner) { return; }
  let o = i / p.inner;
  let n = i % p.inner;
  var acc = ${INIT[kind]};
  var at = o * p.r * p.inner + n;
  for (var k = 0u; k < p.r; k++) {
    acc = ${COMBINE[kind]("acc", "x[at]")};
    at += p.inner;
  }
  y[i] = acc * p.scale;
}`;
}

function perGroupSource(kind: ReduceKind): string {
  return `${HEADER}
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = wid.x + wid.y * nwg.x;
  if (i >= p.outer * p.inner) { return; }
  let o = i / p.inner;
  let n = i % p.inner;
  var acc = ${INIT[kind]};
  for (var k = lid.x; k < p.r; k += 64u) {
    acc = ${COMBINE[kind]("acc", "x[(o * p.r + k) * p.inner + n]")};
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid.x < s) { part[lid.x] = ${COMBINE[kind]("part[lid.x]", "part[lid.x + s]")}; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { y[i] = part[0] * p.scale; }
}`;
}

function normAxis(op: string, x: Tensor, axis: number): number {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank) throw new RangeError(`${op}: axis ${axis} out of range for shape [${x.shape}]`);
  return a;
}

/** Runs the reduction kernel; returns the result with the axis kept as size 1. */
function reduceRaw(op: string, kind: ReduceKind, x: Tensor, axis: number, scale: number): Tensor {
  expectDType(op, x, "f32");
  const outer = shapeSize(x.shape.slice(0, axis));
  const r = x.shape[axis];
  const inner = shapeSize(x.shape.slice(axis + 1));
  const outShape = x.shape.map((d, i) => (i === axis ? 1 : d));
  const out = Tensor.empty(outShape);
  const params = new Uint32Array([outer, r, inner, 0]);
  new Float32Array(params.buffer)[3] = scale;
  const count = outer * inner;
  if (r >= 256 && count <= 4096) {
    const [gx, gy] = grid1d(count, 1);
    backend().dispatch(`${op}_group`, perGroupSource(kind), [x.buffer()], [out.buffer()], params, [gx, gy]);
  } else {
    backend().dispatch(op, perThreadSource(kind), [x.buffer()], [out.buffer()], params, grid1d(count));
  }
  return out;
}

/** Sum over `axis` (negative counts from the end). */
export function sum(x: Tensor, axis = -1, keepDims = false): Tensor {
  const a = normAxis("sum", x, axis);
  const kept = reduceRaw("sum", "sum", x, a, 1);
  const out = record(kept, "sum", [x], (g) => [elementwise("sum_grad", "a", [g], [], x.shape)]);
  return keepDims ? out : squeezeWithGrad(out, a);
}

/** Mean over `axis`. */
export function mean(x: Tensor, axis = -1, keepDims = false): Tensor {
  const a = normAxis("mean", x, axis);
  const r = x.shape[a];
  const kept = reduceRaw("mean", "sum", x, a, 1 / r);
  const out = record(kept, "mean", [x], (g) => [elementwise("mean_grad", "a * s0", [g], [1 / r], x.shape)]);
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
    (g) => [elementwise(`${kind}_grad`, "select(0.0, c, a == b)", [x, kept, g])],
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
