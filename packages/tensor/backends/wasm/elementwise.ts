/**
 * Elementwise expression trees on the wasm backend, fused into one pass: each tree (with its rank and dtypes) is
 * compiled once into a JavaScript loop nest over the memory's typed views (`new Function`), with the last axis
 * innermost and strided input positions carried by additions. V8 compiles the loop to machine code; the math
 * helpers are the reference backend's (one definition of erf and signed pow).
 */

import type { BinaryOp, DType, ElementwiseArgs, Expr, StridedInput, UnaryOp } from "../backend.ts";
import { erf, powSigned } from "../reference/expr.ts";
import type { ThreadRuntime } from "./runtime.ts";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Helpers the generated code calls. */
const H = {
  erf,
  pow: powSigned,
  sign: (a: number) => (a > 0 ? 1 : a < 0 ? -1 : 0),
  sigmoid: (a: number) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))),
  gelu: (a: number) => 0.5 * a * (1 + erf(a * SQRT1_2)),
  geluGrad: (a: number) => 0.5 * (1 + erf(a * SQRT1_2)) + a * Math.exp(-0.5 * a * a) * INV_SQRT_2PI,
  toI32: (v: number) => (Number.isNaN(v) ? 0 : Math.min(2147483647, Math.max(-2147483648, Math.trunc(v)))),
  toU32: (v: number) => (Number.isNaN(v) ? 0 : Math.min(4294967295, Math.max(0, Math.trunc(v)))),
};

const UNARY: Record<UnaryOp, (a: string) => string> = {
  neg: (a) => `(-${a})`,
  abs: (a) => `Math.abs(${a})`,
  sign: (a) => `H.sign(${a})`,
  exp: (a) => `Math.exp(${a})`,
  log: (a) => `Math.log(${a})`,
  sqrt: (a) => `Math.sqrt(${a})`,
  rsqrt: (a) => `(1 / Math.sqrt(${a}))`,
  tanh: (a) => `Math.tanh(${a})`,
  sigmoid: (a) => `H.sigmoid(${a})`,
  erf: (a) => `H.erf(${a})`,
  gelu: (a) => `H.gelu(${a})`,
  geluGrad: (a) => `H.geluGrad(${a})`,
};

const BINARY: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  pow: (a, b) => `H.pow(${a}, ${b})`,
  max: (a, b) => `Math.max(${a}, ${b})`,
  min: (a, b) => `Math.min(${a}, ${b})`,
  lt: (a, b) => `(${a} < ${b} ? 1 : 0)`,
  le: (a, b) => `(${a} <= ${b} ? 1 : 0)`,
  gt: (a, b) => `(${a} > ${b} ? 1 : 0)`,
  ge: (a, b) => `(${a} >= ${b} ? 1 : 0)`,
  eq: (a, b) => `(${a} === ${b} ? 1 : 0)`,
  ne: (a, b) => `(${a} !== ${b} ? 1 : 0)`,
};

function render(e: Expr, inputs: string[]): string {
  switch (e.kind) {
    case "input":
      return inputs[e.input];
    case "scalar":
      return `s${e.scalar}`;
    case "const":
      return `(${Math.fround(e.value)})`;
    case "index":
      return "o";
    case "unary":
      return UNARY[e.op](render(e.a, inputs));
    case "binary":
      return BINARY[e.op](render(e.a, inputs), render(e.b, inputs));
    case "select":
      return `(${render(e.cond, inputs)} !== 0 ? ${render(e.a, inputs)} : ${render(e.b, inputs)})`;
  }
}

/** A compiled tree: views, input base offsets, strides (`[input·rank + d]`), shape, scalars, output offset. */
type Compiled = (
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  base: readonly number[],
  strides: readonly number[],
  shape: readonly number[],
  scalars: readonly number[],
  out: number,
  h: typeof H,
) => void;

const cache = new WeakMap<Expr, Map<string, Compiled>>();

function compile(
  e: Expr,
  rank: number,
  dtypes: readonly DType[],
  outDType: DType,
  scalars: number,
): Compiled {
  const nIn = dtypes.length;
  const lines: string[] = [];
  for (let s = 0; s < scalars; s++) lines.push(`const s${s} = Math.fround(sc[${s}]);`);
  for (let k = 0; k < nIn; k++) {
    for (let d = 0; d < rank; d++) lines.push(`const st${k}_${d} = st[${k * rank + d}];`);
  }
  for (let d = 0; d < rank; d++) lines.push(`const n${d} = shape[${d}];`);
  lines.push(`let o = 0;`);
  const reads = dtypes.map((t, k) => `${t}[p${k}_${rank}]`);
  const value = render(e, reads);
  const store = outDType === "f32"
    ? `f32[out + o] = ${value};`
    : outDType === "i32"
    ? `i32[out + o] = H.toI32(${value});`
    : `u32[out + o] = H.toU32(${value});`;
  for (let k = 0; k < nIn; k++) lines.push(`const p${k}_0 = base[${k}];`);
  let body = `${store} o++;`;
  for (let d = rank - 1; d >= 0; d--) {
    const pos = Array.from(
      { length: nIn },
      (_, k) => `const p${k}_${d + 1} = p${k}_${d} + a${d} * st${k}_${d};`,
    );
    body = `for (let a${d} = 0; a${d} < n${d}; a${d}++) { ${pos.join(" ")} ${body} }`;
  }
  lines.push(body);
  return new Function(
    "f32",
    "i32",
    "u32",
    "base",
    "st",
    "shape",
    "sc",
    "out",
    "H",
    lines.join("\n"),
  ) as Compiled;
}

/** Runs one elementwise call on the calling thread. */
export function runElementwise(
  rt: ThreadRuntime,
  a: ElementwiseArgs,
  addr: (h: ElementwiseArgs["out"]) => number,
): void {
  const rank = a.shape.length;
  for (const d of a.shape) if (d === 0) return;
  const key = `${rank}|${a.inputs.map((x) => x.dtype).join(",")}|${a.outDType}|${a.scalars.length}`;
  let byKey = cache.get(a.expr);
  if (!byKey) cache.set(a.expr, byKey = new Map());
  let fn = byKey.get(key);
  if (!fn) {
    fn = compile(a.expr, rank, a.inputs.map((x) => x.dtype), a.outDType, a.scalars.length);
    byKey.set(key, fn);
  }
  const base = a.inputs.map((x) => (addr(x.handle) >> 2) + x.offset);
  const strides: number[] = [];
  for (const x of a.inputs) strides.push(...x.strides);
  fn(rt.f32, rt.i32, rt.u32, base, strides, a.shape, a.scalars, addr(a.out) >> 2, H);
}

/** An elementwise call that a SIMD kernel of vector_math.ts computes: GELU or its gradient on dense inputs. */
export interface VectorCall {
  kind: "gelu" | "geluGrad";
  /** The GELU input. */
  x: StridedInput;
  /** The output gradient (geluGrad only). */
  g?: StridedInput;
}

function dense(x: StridedInput, shape: readonly number[]): boolean {
  if (x.dtype !== "f32") return false;
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && x.strides[d] !== stride) return false;
    stride *= shape[d];
  }
  return true;
}

/**
 * Recognises `gelu(x)` and `g · geluGrad(x)` (either order) over dense f32 inputs into an f32 output: the two
 * trees the front's GELU records, whose transcendental cost dominates the JavaScript loops.
 */
export function vectorCallOf(a: ElementwiseArgs): VectorCall | null {
  if (a.outDType !== "f32") return null;
  const e = a.expr;
  let call: VectorCall | null = null;
  if (e.kind === "unary" && e.op === "gelu" && e.a.kind === "input") {
    call = { kind: "gelu", x: a.inputs[e.a.input] };
  } else if (e.kind === "binary" && e.op === "mul") {
    const [grad, other] = e.a.kind === "unary" ? [e.a, e.b] : [e.b, e.a];
    if (
      grad.kind === "unary" && grad.op === "geluGrad" && grad.a.kind === "input" && other.kind === "input"
    ) {
      call = { kind: "geluGrad", x: a.inputs[grad.a.input], g: a.inputs[other.input] };
    }
  }
  if (!call || !dense(call.x, a.shape) || (call.g && !dense(call.g, a.shape))) return null;
  return call;
}
