/**
 * Elementwise ops: one kernel family, generated from WGSL expressions.
 *
 * Every unary, binary (with NumPy broadcasting), ternary and scalar op — and their gradients — is an expression
 * over up to four inputs `a b c d` and eight scalars `s0…s7`, evaluated per output element. Shapes and scalars go
 * through the uniform slot, so one pipeline serves every shape; pipelines differ only by expression, input count,
 * dtypes and whether broadcasting index math is needed. The op table below gives each op's forward expression and
 * its gradient expressions side by side.
 */

import { backend, type DType, f32Bits, grid1d } from "../backend.ts";
import { record, type Shape, shapeSize, stridesOf, Tensor } from "../tensor.ts";
import { sumToShape } from "./reduce.ts";

const MAX_RANK = 8;
const MAX_INPUTS = 4;
const NAMES = ["a", "b", "c", "d"];

/** WGSL helpers available to every expression. */
const PRELUDE = /* wgsl */ `
// erf with |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26): exact GELU needs erf, which WGSL lacks.
fn erf_(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    * exp(-x * x);
  return select(-y, y, x >= 0.0);
}
fn gelu_(x: f32) -> f32 { return 0.5 * x * (1.0 + erf_(x * 0.7071067811865476)); }
fn gelu_grad_(x: f32) -> f32 {
  return 0.5 * (1.0 + erf_(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
}
fn sigmoid_(x: f32) -> f32 { return select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0); }
fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let t = (1.0 - e) / (1.0 + e); return select(-t, t, x >= 0.0); }
// A 32-bit integer hash (lowbias32) for counter-based random numbers such as dropout masks.
fn hash_(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u; x *= 0x7feb352du; x ^= x >> 15u; x *= 0x846ca68bu; x ^= x >> 16u;
  return x;
}
// The bit patterns of +inf and NaN, read at run time: a constant expression may not evaluate to inf or NaN
// (Chromium's WGSL compiler rejects the shader).
var<private> INF_BITS_: u32 = 0x7f800000u;
var<private> NAN_BITS_: u32 = 0x7fc00000u;
// pow for any sign of the base: WGSL's pow is undefined for x < 0, but integer exponents of negatives are common.
fn pow_(x: f32, y: f32) -> f32 {
  if (x == 0.0) { return select(select(0.0, 1.0, y == 0.0), bitcast<f32>(INF_BITS_), y < 0.0); }
  if (x > 0.0) { return pow(x, y); }
  if (fract(y) != 0.0) { return bitcast<f32>(NAN_BITS_); }
  let r = pow(-x, y);
  return select(r, -r, (i32(y) & 1) == 1);
}
`;

function wgslType(d: DType): string {
  return d === "f32" ? "f32" : d;
}

function kernelSource(expr: string, inDTypes: DType[], outDType: DType, broadcast: boolean): string {
  const n = inDTypes.length;
  const decls = inDTypes.map((d, k) =>
    `@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<${wgslType(d)}>;`
  ).join("\n");
  let index = "";
  const offs = NAMES.slice(0, n).map((_, k) => broadcast ? `o${k}` : "i");
  if (broadcast) {
    index = `  var rem = i;\n${offs.map((o, k) => `  var ${o} = p.offsets[${k}];`).join("\n")}
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let q = u32(d) / 4u; let r = u32(d) % 4u;
    let c = rem % p.shape[q][r];
    rem = rem / p.shape[q][r];
${offs.map((o, k) => `    ${o} += c * p.strides[${k * 2}u + q][r];`).join("\n")}
  }\n`;
  }
  const loads = NAMES.slice(0, n).map((v, k) => `  let ${v} = f32(in${k}[${offs[k]}]);`).join("\n");
  return `${PRELUDE}
struct Params { n: u32, rank: u32, _p0: u32, _p1: u32,
  shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, ${MAX_INPUTS * 2}>, scal: array<vec4<f32>, 2>,
  offsets: vec4<u32> };
@group(0) @binding(0) var<uniform> p: Params;
${decls}
@group(0) @binding(${n + 1}) var<storage, read_write> out: array<${wgslType(outDType)}>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let s0 = p.scal[0].x; let s1 = p.scal[0].y; let s2 = p.scal[0].z; let s3 = p.scal[0].w;
  let s4 = p.scal[1].x; let s5 = p.scal[1].y; let s6 = p.scal[1].z; let s7 = p.scal[1].w;
  let fi = f32(i);
${index}${loads}
  out[i] = ${wgslType(outDType)}(${expr});
}
`;
}

/** The shape two or more shapes broadcast to (NumPy rules); throws naming `op` if they are incompatible. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i];
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new RangeError(`${op}: shapes ${shapes.map((x) => `[${x}]`).join(" and ")} do not broadcast`);
      }
    }
  }
  return out;
}

/** An input of {@link stridedElementwise}: a tensor read through explicit strides (0 = broadcast) and offset. */
export interface StridedInput {
  tensor: Tensor;
  strides: number[];
  offset: number;
}

/**
 * The kernel launcher behind every elementwise op: input k is read at `offset_k + Σ index_d · strides_k[d]` for
 * output index (index_0…index_r). Permute, slice and broadcast are this with other strides. No tape is recorded.
 */
export function stridedElementwise(
  op: string,
  expr: string,
  inputs: StridedInput[],
  scalars: number[],
  shape: Shape,
  outDType: DType = "f32",
): Tensor {
  if (inputs.length > MAX_INPUTS) throw new Error(`${op}: at most ${MAX_INPUTS} inputs`);
  if (scalars.length > 8) throw new Error(`${op}: at most 8 scalars`);
  if (shape.length > MAX_RANK) throw new RangeError(`${op}: rank ${shape.length} exceeds ${MAX_RANK}`);
  const buffers = inputs.map((x) => x.tensor.buffer(op));
  const n = shapeSize(shape);
  const out = Tensor.empty(shape, outDType);
  const contiguous = stridesOf(shape);
  const direct = inputs.every((x) =>
    x.offset === 0 && x.tensor.size === n && x.strides.length === shape.length &&
    x.strides.every((s, i) => s === contiguous[i] || shape[i] === 1)
  );
  const params = new Uint32Array(56);
  params[0] = n;
  params[1] = shape.length;
  shape.forEach((d, i) => (params[4 + i] = d));
  inputs.forEach((x, k) => {
    x.strides.forEach((st, i) => (params[12 + k * 8 + i] = st));
    params[52 + k] = x.offset;
  });
  scalars.forEach((s, i) => (params[44 + i] = f32Bits(s)));
  const code = kernelSource(expr, inputs.map((x) => x.tensor.dtype), outDType, !direct);
  backend().dispatch(op, code, buffers, [out.buffer()], params, grid1d(n));
  return out;
}

/**
 * Evaluates a WGSL expression per element. Inputs broadcast to `outShape` (default: their broadcast shape);
 * `fi` is the flat output index as f32. No tape is recorded: ops below wrap this with their gradients.
 */
export function elementwise(
  op: string,
  expr: string,
  inputs: Tensor[],
  scalars: number[] = [],
  outShape?: Shape,
  outDType: DType = "f32",
): Tensor {
  const shape = outShape ? [...outShape] : broadcastShapes(op, ...inputs.map((t) => t.shape));
  const strided = inputs.map((t): StridedInput => {
    const off = shape.length - t.shape.length;
    if (off < 0) throw new RangeError(`${op}: input [${t.shape}] has more dims than output [${shape}]`);
    const st = stridesOf(t.shape);
    const strides = new Array<number>(shape.length).fill(0);
    for (let i = 0; i < t.shape.length; i++) {
      if (t.shape[i] !== 1 && t.shape[i] !== shape[off + i]) {
        throw new RangeError(`${op}: input [${t.shape}] does not broadcast to [${shape}]`);
      }
      strides[off + i] = t.shape[i] === 1 ? 0 : st[i];
    }
    return { tensor: t, strides, offset: 0 };
  });
  return stridedElementwise(op, expr, strided, scalars, shape, outDType);
}

// ------------------------------------------------------------------ unary ops

/**
 * Unary op table: forward expression in `a` (the input), gradient factor in `a` (input) and `b` (output);
 * the input gradient is `g · factor`.
 */
const UNARY = {
  neg: ["-a", "-1.0"],
  abs: ["abs(a)", "sign(a)"],
  exp: ["exp(a)", "b"],
  log: ["log(a)", "1.0 / a"],
  sqrt: ["sqrt(a)", "0.5 / b"],
  rsqrt: ["inverseSqrt(a)", "-0.5 * b * b * b"],
  tanh: ["tanh_(a)", "1.0 - b * b"],
  relu: ["max(a, 0.0)", "select(0.0, 1.0, a > 0.0)"],
  gelu: ["gelu_(a)", "gelu_grad_(a)"],
  sigmoid: ["sigmoid_(a)", "b * (1.0 - b)"],
  square: ["a * a", "2.0 * a"],
} as const;

/** Names of the unary ops. */
export type UnaryOp = keyof typeof UNARY;

function unary(op: UnaryOp, x: Tensor): Tensor {
  const [fwd, grad] = UNARY[op];
  const y = elementwise(op, fwd, [x]);
  return record(y, op, [x], (g) => [elementwise(`${op}_grad`, `c * (${grad})`, [x, y, g])]);
}

/** −x. */
export const neg = (x: Tensor): Tensor => unary("neg", x);
/** |x| (gradient sign(x), 0 at 0). */
export const abs = (x: Tensor): Tensor => unary("abs", x);
/** eˣ. */
export const exp = (x: Tensor): Tensor => unary("exp", x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unary("log", x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unary("sqrt", x);
/** 1/√x. */
export const rsqrt = (x: Tensor): Tensor => unary("rsqrt", x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unary("tanh", x);
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => unary("relu", x);
/** Exact GELU, x·Φ(x) with the error function (PyTorch `nn.GELU()` default). */
export const gelu = (x: Tensor): Tensor => unary("gelu", x);
/** Logistic sigmoid. */
export const sigmoid = (x: Tensor): Tensor => unary("sigmoid", x);
/** x². */
export const square = (x: Tensor): Tensor => unary("square", x);

// ------------------------------------------------------------------ binary ops

/**
 * Binary op table: forward expression in `a`, `b`; gradient expressions for `a` and `b` in `a`, `b` and the
 * output gradient `c` (before reduction to the input's shape).
 */
const BINARY = {
  add: ["a + b", "c", "c"],
  sub: ["a - b", "c", "-c"],
  mul: ["a * b", "c * b", "c * a"],
  div: ["a / b", "c / b", "-c * a / (b * b)"],
  pow: ["pow_(a, b)", "c * b * pow_(a, b - 1.0)", "c * log(a) * pow_(a, b)"],
  maximum: ["max(a, b)", "select(0.0, c, a >= b)", "select(c, 0.0, a >= b)"],
  minimum: ["min(a, b)", "select(0.0, c, a <= b)", "select(c, 0.0, a <= b)"],
} as const;

/** Names of the binary ops. */
export type BinaryOp = keyof typeof BINARY;

/** Scalar forms: the scalar is `s0`; gradient for the tensor operand only. */
const SCALAR: Record<BinaryOp, [string, string]> = {
  add: ["a + s0", "b"],
  sub: ["a - s0", "b"],
  mul: ["a * s0", "b * s0"],
  div: ["a / s0", "b / s0"],
  pow: ["pow_(a, s0)", "b * s0 * pow_(a, s0 - 1.0)"],
  maximum: ["max(a, s0)", "select(0.0, b, a >= s0)"],
  minimum: ["min(a, s0)", "select(0.0, b, a <= s0)"],
};

function binary(op: BinaryOp, x: Tensor, y: Tensor | number): Tensor {
  if (typeof y === "number") {
    const [fwd, grad] = SCALAR[op];
    const out = elementwise(op, fwd, [x], [y]);
    return record(out, op, [x], (g) => [elementwise(`${op}_grad`, grad, [x, g], [y])]);
  }
  const [fwd, ga, gb] = BINARY[op];
  const out = elementwise(op, fwd, [x, y]);
  return record(out, op, [x, y], (g) => [
    x.requiresGrad ? reduceGrad(elementwise(`${op}_grad_a`, ga, [x, y, g]), x.shape) : null,
    y.requiresGrad ? reduceGrad(elementwise(`${op}_grad_b`, gb, [x, y, g]), y.shape) : null,
  ]);
}

/** Sums a broadcast gradient back to an input's shape, disposing the full-size one. */
function reduceGrad(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const r = sumToShape(g, shape);
  g.dispose();
  return r;
}

/** a + b (broadcasting). */
export const add = (a: Tensor, b: Tensor | number): Tensor => binary("add", a, b);
/** a − b (broadcasting). */
export const sub = (a: Tensor, b: Tensor | number): Tensor => binary("sub", a, b);
/** a · b (broadcasting). */
export const mul = (a: Tensor, b: Tensor | number): Tensor => binary("mul", a, b);
/** a / b (broadcasting). */
export const div = (a: Tensor, b: Tensor | number): Tensor => binary("div", a, b);
/** aᵇ (broadcasting; negative bases need integer exponents). */
export const pow = (a: Tensor, b: Tensor | number): Tensor => binary("pow", a, b);
/** Elementwise maximum (broadcasting; ties send the gradient to `a`). */
export const maximum = (a: Tensor, b: Tensor | number): Tensor => binary("maximum", a, b);
/** Elementwise minimum (broadcasting; ties send the gradient to `a`). */
export const minimum = (a: Tensor, b: Tensor | number): Tensor => binary("minimum", a, b);

/** `s − a` for a scalar `s` (e.g. `1 − p`). */
export function rsub(s: number, a: Tensor): Tensor {
  const out = elementwise("rsub", "s0 - a", [a], [s]);
  return record(out, "rsub", [a], (g) => [elementwise("rsub_grad", "-a", [g])]);
}

// ------------------------------------------------------------------ selection and fills

/**
 * `cond ? a : b` elementwise with broadcasting; `cond` is any dtype, non-zero meaning true. `masked_fill` is
 * `where(mask, value, x)` with a scalar.
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const inputs: Tensor[] = [cond];
  const scalars: number[] = [];
  const term = (v: Tensor | number): string => {
    if (typeof v === "number") {
      scalars.push(v);
      return `s${scalars.length - 1}`;
    }
    inputs.push(v);
    return NAMES[inputs.length - 1];
  };
  const ta = term(a);
  const tb = term(b);
  const out = elementwise("where", `select(${tb}, ${ta}, a != 0.0)`, inputs, scalars);
  const tensors = [a, b].filter((v): v is Tensor => typeof v !== "number");
  return record(out, "where", tensors, (g) => {
    const grads: (Tensor | null)[] = [];
    if (typeof a !== "number") {
      grads.push(
        a.requiresGrad
          ? reduceGrad(elementwise("where_grad", "select(0.0, b, a != 0.0)", [cond, g]), a.shape)
          : null,
      );
    }
    if (typeof b !== "number") {
      grads.push(
        b.requiresGrad
          ? reduceGrad(elementwise("where_grad", "select(b, 0.0, a != 0.0)", [cond, g]), b.shape)
          : null,
      );
    }
    return grads;
  });
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = "f32"): Tensor {
  return elementwise("full", "s0", [], [value], shape, dtype);
}

/** 0, 1, …, n−1 as f32 (or i32). */
export function arange(n: number, dtype: DType = "f32"): Tensor {
  return elementwise("arange", "fi", [], [], [n], dtype);
}

/** Converts between dtypes (f32 → i32 truncates toward zero). */
export function cast(x: Tensor, dtype: DType): Tensor {
  return elementwise("cast", "a", [x], [], x.shape, dtype);
}

/** Elementwise comparison producing 1 or 0 (f32); no gradient. `cmp` is one of `< <= > >= == !=`. */
export function compare(a: Tensor, cmp: "<" | "<=" | ">" | ">=" | "==" | "!=", b: Tensor | number): Tensor {
  if (typeof b === "number") return elementwise("compare", `select(0.0, 1.0, a ${cmp} s0)`, [a], [b]);
  return elementwise("compare", `select(0.0, 1.0, a ${cmp} b)`, [a, b]);
}

/** A copy of `x` that is a distinct buffer (gradient passes through). */
export function clone(x: Tensor): Tensor {
  return record(elementwise("clone", "a", [x]), "clone", [x], (g) => [g.view(g.shape)]);
}
