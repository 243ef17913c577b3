/**
 * Elementwise ops: one backend kernel, driven by expression trees ({@link Expr}).
 *
 * Every unary, binary (with NumPy broadcasting), ternary and scalar op — and their gradients — is an expression
 * over up to four inputs `a b c d` and eight run-time scalars, evaluated per output element by the backend's
 * `elementwise` kernel. The op tables below give each op's forward tree and its gradient trees side by side; they
 * are built once, so compiling backends cache one kernel per entry.
 */

import type { DType, Expr, StridedInput } from "../backends/backend.ts";
import { backend } from "../backends/registry.ts";
import { record, type Shape, shapeSize, stridesOf, Tensor } from "../tensor.ts";
import {
  A,
  add as eAdd,
  B,
  bin,
  C,
  div as eDiv,
  INDEX,
  lit,
  mul as eMul,
  S0,
  scalar,
  select,
  sub as eSub,
  un,
} from "./expr.ts";
import { sumToShape } from "./reduce.ts";

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
export interface StridedTensor {
  /** The tensor read. */
  tensor: Tensor;
  /** Element stride per output dimension. */
  strides: number[];
  /** Element offset of index (0, …, 0). */
  offset: number;
}

/**
 * The launcher behind every elementwise op: input k is read at `offset_k + Σ index_d · strides_k[d]` for output
 * index (index_0…index_r). Permute, slice and broadcast are this with other strides. No tape is recorded.
 */
export function stridedElementwise(
  op: string,
  expr: Expr,
  inputs: StridedTensor[],
  scalars: number[],
  shape: Shape,
  outDType: DType = "f32",
): Tensor {
  const handles: StridedInput[] = inputs.map((x) => ({
    handle: x.tensor.handle(op),
    dtype: x.tensor.dtype,
    offset: x.offset,
    strides: x.strides,
  }));
  const out = Tensor.empty(shape, outDType);
  if (shapeSize(shape) > 0) {
    backend().elementwise({ expr, inputs: handles, scalars, shape, out: out.handle(), outDType, label: op });
  }
  return out;
}

/**
 * Evaluates an expression per element. Inputs broadcast to `outShape` (default: their broadcast shape); the
 * `index` node is the flat output index. No tape is recorded: ops below wrap this with their gradients.
 */
export function elementwise(
  op: string,
  expr: Expr,
  inputs: Tensor[],
  scalars: number[] = [],
  outShape?: Shape,
  outDType: DType = "f32",
): Tensor {
  const shape = outShape ? [...outShape] : broadcastShapes(op, ...inputs.map((t) => t.shape));
  const strided = inputs.map((t): StridedTensor => {
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

const ZERO = lit(0);
const ONE = lit(1);

/**
 * Unary op table: forward tree in `a` (the input), gradient factor in `a` (input) and `b` (output);
 * the input gradient is `c · factor` with `c` the output gradient.
 */
/** Names of the unary ops. */
export type UnaryOp =
  | "neg"
  | "abs"
  | "exp"
  | "log"
  | "sqrt"
  | "rsqrt"
  | "tanh"
  | "relu"
  | "gelu"
  | "sigmoid"
  | "square";

const UNARY_TABLE: Record<UnaryOp, readonly [Expr, Expr]> = {
  neg: [un("neg", A), lit(-1)],
  abs: [un("abs", A), un("sign", A)],
  exp: [un("exp", A), B],
  log: [un("log", A), eDiv(ONE, A)],
  sqrt: [un("sqrt", A), eDiv(lit(0.5), B)],
  rsqrt: [un("rsqrt", A), eMul(eMul(eMul(lit(-0.5), B), B), B)],
  tanh: [un("tanh", A), eSub(ONE, eMul(B, B))],
  relu: [bin("max", A, ZERO), bin("gt", A, ZERO)],
  gelu: [un("gelu", A), un("geluGrad", A)],
  sigmoid: [un("sigmoid", A), eMul(B, eSub(ONE, B))],
  square: [eMul(A, A), eMul(lit(2), A)],
};

const UNARY: Record<UnaryOp, { forward: Expr; grad: Expr }> = Object.fromEntries(
  Object.entries(UNARY_TABLE).map(([k, [f, g]]) => [k, { forward: f, grad: eMul(C, g) }]),
) as Record<UnaryOp, { forward: Expr; grad: Expr }>;

function unary(op: UnaryOp, x: Tensor): Tensor {
  const { forward, grad } = UNARY[op];
  const y = elementwise(op, forward, [x]);
  return record(y, op, [x], (g) => [elementwise(`${op}_grad`, grad, [x, y, g])]);
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

const powAB = bin("pow", A, B);
const geAB = bin("ge", A, B);
const leAB = bin("le", A, B);

/**
 * Binary op table: forward tree in `a`, `b`; gradient trees for `a` and `b` in `a`, `b` and the output gradient
 * `c` (before reduction to the input's shape).
 */
/** Names of the binary ops. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";

const BINARY: Record<BinaryOp, readonly [Expr, Expr, Expr]> = {
  add: [eAdd(A, B), C, C],
  sub: [eSub(A, B), C, un("neg", C)],
  mul: [eMul(A, B), eMul(C, B), eMul(C, A)],
  div: [eDiv(A, B), eDiv(C, B), eDiv(eMul(un("neg", C), A), eMul(B, B))],
  pow: [powAB, eMul(eMul(C, B), bin("pow", A, eSub(B, ONE))), eMul(eMul(C, un("log", A)), powAB)],
  maximum: [bin("max", A, B), select(geAB, C, ZERO), select(geAB, ZERO, C)],
  minimum: [bin("min", A, B), select(leAB, C, ZERO), select(leAB, ZERO, C)],
};

const geAS = bin("ge", A, S0);
const leAS = bin("le", A, S0);

/** Scalar forms: the scalar is `s0`; gradient for the tensor operand only, in `a` and the output gradient `b`. */
const SCALAR: Record<BinaryOp, readonly [Expr, Expr]> = {
  add: [eAdd(A, S0), B],
  sub: [eSub(A, S0), B],
  mul: [eMul(A, S0), eMul(B, S0)],
  div: [eDiv(A, S0), eDiv(B, S0)],
  pow: [bin("pow", A, S0), eMul(eMul(B, S0), bin("pow", A, eSub(S0, ONE)))],
  maximum: [bin("max", A, S0), select(geAS, B, ZERO)],
  minimum: [bin("min", A, S0), select(leAS, B, ZERO)],
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

const RSUB = eSub(S0, A);
const NEG_A = un("neg", A);

/** `s − a` for a scalar `s` (e.g. `1 − p`). */
export function rsub(s: number, a: Tensor): Tensor {
  const out = elementwise("rsub", RSUB, [a], [s]);
  return record(out, "rsub", [a], (g) => [elementwise("rsub_grad", NEG_A, [g])]);
}

// ------------------------------------------------------------------ selection and fills

/** `where` trees by which operands are tensors: cond is input 0, tensors follow, scalars are s0, s1. */
const WHERE = {
  tt: select(A, B, C),
  ts: select(A, B, S0),
  st: select(A, S0, B),
  ss: select(A, S0, scalar(1)),
};
const WHERE_GRAD_A = select(A, B, ZERO);
const WHERE_GRAD_B = select(A, ZERO, B);

/**
 * `cond ? a : b` elementwise with broadcasting; `cond` is any dtype, non-zero meaning true. `masked_fill` is
 * `where(mask, value, x)` with a scalar.
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const key = `${typeof a === "number" ? "s" : "t"}${
    typeof b === "number" ? "s" : "t"
  }` as keyof typeof WHERE;
  const tensors = [a, b].filter((v): v is Tensor => typeof v !== "number");
  const scalars = [a, b].filter((v): v is number => typeof v === "number");
  const out = elementwise("where", WHERE[key], [cond, ...tensors], scalars);
  return record(out, "where", tensors, (g) => {
    const grads: (Tensor | null)[] = [];
    if (typeof a !== "number") {
      grads.push(
        a.requiresGrad ? reduceGrad(elementwise("where_grad", WHERE_GRAD_A, [cond, g]), a.shape) : null,
      );
    }
    if (typeof b !== "number") {
      grads.push(
        b.requiresGrad ? reduceGrad(elementwise("where_grad", WHERE_GRAD_B, [cond, g]), b.shape) : null,
      );
    }
    return grads;
  });
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = "f32"): Tensor {
  return elementwise("full", S0, [], [value], shape, dtype);
}

/** 0, 1, …, n−1 as f32 (or i32). */
export function arange(n: number, dtype: DType = "f32"): Tensor {
  return elementwise("arange", INDEX, [], [], [n], dtype);
}

/** Converts between dtypes (f32 → i32 truncates toward zero). */
export function cast(x: Tensor, dtype: DType): Tensor {
  return elementwise("cast", A, [x], [], x.shape, dtype);
}

const COMPARE = {
  "<": "lt",
  "<=": "le",
  ">": "gt",
  ">=": "ge",
  "==": "eq",
  "!=": "ne",
} as const;
const COMPARE_TENSOR = Object.fromEntries(
  Object.entries(COMPARE).map(([k, op]) => [k, bin(op, A, B)]),
) as Record<keyof typeof COMPARE, Expr>;
const COMPARE_SCALAR = Object.fromEntries(
  Object.entries(COMPARE).map(([k, op]) => [k, bin(op, A, S0)]),
) as Record<keyof typeof COMPARE, Expr>;

/** Elementwise comparison producing 1 or 0 (f32); no gradient. `cmp` is one of `< <= > >= == !=`. */
export function compare(a: Tensor, cmp: "<" | "<=" | ">" | ">=" | "==" | "!=", b: Tensor | number): Tensor {
  if (typeof b === "number") return elementwise("compare", COMPARE_SCALAR[cmp], [a], [b]);
  return elementwise("compare", COMPARE_TENSOR[cmp], [a, b]);
}

/** A copy of `x` that is a distinct buffer (gradient passes through). */
export function clone(x: Tensor): Tensor {
  return record(elementwise("clone", A, [x]), "clone", [x], (g) => [g.view(g.shape)]);
}
