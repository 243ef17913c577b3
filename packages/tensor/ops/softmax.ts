/**
 * Softmax and log-softmax over one axis, each a fused row kernel with a fused backward kernel.
 *
 * The input is viewed as [rows, n] with the softmax axis last (another axis is moved there with `permute` and
 * back, so its gradient composes). Every kernel is "one or two row reductions, then a per-element write":
 * - softmax:     m = max x, s = Σ exp(x − m), y = exp(x − m) / s   (max-subtracted, so no overflow)
 * - log-softmax: same m and s, y = x − m − log s
 * - softmax backward:     dx = y ⊙ (g − Σ g⊙y)
 * - log-softmax backward: dx = g − exp(y) ⊙ Σ g
 * Backward kernels read the saved output y, never the input. Two launch shapes, as in `reduce.ts`: one thread per
 * row (many rows, the common case), or one 64-thread workgroup per row with a tree reduction in workgroup memory
 * (few long rows, e.g. a class distribution per sample).
 */

import { backend, grid1d } from "../backend.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { permute } from "./shape.ts";

/** One row reduction: the variable it defines, how it combines, and the per-element term it reduces. */
interface RowReduction {
  name: string;
  kind: "max" | "sum";
  term: string;
}

/** A row kernel: its inputs (read at flat index `at`), its reductions in order, and the output expression. */
interface RowKernel {
  inputs: string[];
  reductions: RowReduction[];
  write: string;
}

const MAX_STEP: RowReduction = { name: "m", kind: "max", term: "x[at]" };
const SUM_STEP: RowReduction = { name: "s", kind: "sum", term: "exp(x[at] - m)" };

const KERNELS = {
  softmax: { inputs: ["x"], reductions: [MAX_STEP, SUM_STEP], write: "exp(x[at] - m) / s" },
  log_softmax: { inputs: ["x"], reductions: [MAX_STEP, SUM_STEP], write: "x[at] - m - log(s)" },
  softmax_grad: {
    inputs: ["y", "g"],
    reductions: [{ name: "t", kind: "sum", term: "g[at] * y[at]" }],
    write: "y[at] * (g[at] - t)",
  },
  log_softmax_grad: {
    inputs: ["y", "g"],
    reductions: [{ name: "t", kind: "sum", term: "g[at]" }],
    write: "g[at] - exp(y[at]) * t",
  },
} satisfies Record<string, RowKernel>;

type KernelName = keyof typeof KERNELS;

const INIT = { max: "-3.4e38", sum: "0.0" };
const combine = (kind: "max" | "sum", a: string, b: string): string =>
  kind === "max" ? `max(${a}, ${b})` : `${a} + ${b}`;

function header(k: RowKernel): string {
  const inputs = k.inputs.map((name, i) =>
    `@group(0) @binding(${i + 1}) var<storage, read> ${name}: array<f32>;`
  );
  return `struct Params { rows: u32, n: u32 };
@group(0) @binding(0) var<uniform> p: Params;
${inputs.join("\n")}
@group(0) @binding(${k.inputs.length + 1}) var<storage, read_write> out: array<f32>;`;
}

/** One thread walks a whole row: no barriers, best when there are many rows. */
function perThreadSource(k: RowKernel): string {
  const reductions = k.reductions.map((r) => `
  var ${r.name} = ${INIT[r.kind]};
  for (var c = 0u; c < p.n; c++) { let at = base + c; ${r.name} = ${combine(r.kind, r.name, r.term)}; }`);
  return `${header(k)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * 64u;
  if (row >= p.rows) { return; }
  let base = row * p.n;${reductions.join("")}
  for (var c = 0u; c < p.n; c++) { let at = base + c; out[at] = ${k.write}; }
}`;
}

/** A 64-thread workgroup shares a row: strided partial reductions, then a tree in workgroup memory. */
function perGroupSource(k: RowKernel): string {
  const reductions = k.reductions.map((r) => `
  var ${r.name}_part = ${INIT[r.kind]};
  for (var c = lid.x; c < p.n; c += 64u) {
    let at = base + c;
    ${r.name}_part = ${combine(r.kind, `${r.name}_part`, r.term)};
  }
  part[lid.x] = ${r.name}_part;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] = ${combine(r.kind, "part[lid.x]", "part[lid.x + w]")}; }
    workgroupBarrier();
  }
  let ${r.name} = part[0];
  workgroupBarrier();`);
  return `${header(k)}
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let base = row * p.n;${reductions.join("")}
  for (var c = lid.x; c < p.n; c += 64u) { let at = base + c; out[at] = ${k.write}; }
}`;
}

/** Runs a row kernel over the last axis of `inputs[0]`'s shape. */
function runRows(name: KernelName, inputs: Tensor[]): Tensor {
  const shape = inputs[0].shape;
  const n = shape[shape.length - 1];
  const rows = n === 0 ? 0 : inputs[0].size / n;
  const out = Tensor.empty(shape);
  const k: RowKernel = KERNELS[name];
  const buffers = inputs.map((t) => t.buffer(name));
  if (n >= 256 && rows <= 4096) {
    backend().dispatch(
      `${name}_group`,
      perGroupSource(k),
      buffers,
      [out.buffer()],
      [rows, n],
      grid1d(rows, 1),
    );
  } else {
    backend().dispatch(name, perThreadSource(k), buffers, [out.buffer()], [rows, n], grid1d(rows, 64));
  }
  return out;
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
  return alongAxis("softmax", x, axis, (t) => {
    const y = runRows("softmax", [t]);
    return record(y, "softmax", [t], (g) => [runRows("softmax_grad", [y, g])]);
  });
}

/** Log-softmax over `axis` (default last): x − max − log Σ exp(x − max), stable for large logits. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis("logSoftmax", x, axis, (t) => {
    const y = runRows("log_softmax", [t]);
    return record(y, "logSoftmax", [t], (g) => [runRows("log_softmax_grad", [y, g])]);
  });
}
