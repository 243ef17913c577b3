/**
 * The reference backend's elementwise evaluator: an {@link Expr} tree compiled once into nested closures over
 * float64 values (inputs, scalars and constants are float32 values, so only the intermediate rounding differs from a
 * float32 backend).
 */

import type { BinaryOp, Expr, UnaryOp } from "../backend.ts";

/** Values an expression reads at one element: its inputs, the run-time scalars and the flat index. */
export interface ExprEnv {
  inputs: Float64Array;
  scalars: Float64Array;
  index: number;
}

/** A compiled expression. */
export type CompiledExpr = (env: ExprEnv) => number;

/** The error function to ≈1.2e-7 (Numerical Recipes' erfc Chebyshev fit), in float64. */
export function erf(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const tail = t * Math.exp(
    -x * x - 1.26551223 +
      t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
                          t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? 1 - tail : tail - 1;
}

/** aᵇ with the contract's rules for negative and zero bases. */
export function powSigned(a: number, b: number): number {
  if (a === 0) return b === 0 ? 1 : b < 0 ? Infinity : 0;
  if (a > 0) return Math.pow(a, b);
  if (!Number.isInteger(b)) return NaN;
  const r = Math.pow(-a, b);
  return Math.abs(b) % 2 === 1 ? -r : r;
}

const UNARY: Record<UnaryOp, (a: number) => number> = {
  neg: (a) => -a,
  abs: Math.abs,
  sign: (a) => (a > 0 ? 1 : a < 0 ? -1 : 0),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (a) => 1 / Math.sqrt(a),
  tanh: Math.tanh,
  sigmoid: (a) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))),
  erf,
  gelu: (a) => 0.5 * a * (1 + erf(a * Math.SQRT1_2)),
  geluGrad: (a) => 0.5 * (1 + erf(a * Math.SQRT1_2)) + a * Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: powSigned,
  max: Math.max,
  min: Math.min,
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};

const compiled = new WeakMap<Expr, CompiledExpr>();

/** Compiles (once per tree object) an expression into a closure. */
export function compileExpr(e: Expr): CompiledExpr {
  let f = compiled.get(e);
  if (f) return f;
  switch (e.kind) {
    case "input": {
      const k = e.input;
      f = (env) => env.inputs[k];
      break;
    }
    case "scalar": {
      const k = e.scalar;
      f = (env) => env.scalars[k];
      break;
    }
    case "const": {
      const v = Math.fround(e.value);
      f = () => v;
      break;
    }
    case "index":
      f = (env) => env.index;
      break;
    case "unary": {
      const op = UNARY[e.op];
      const a = compileExpr(e.a);
      f = (env) => op(a(env));
      break;
    }
    case "binary": {
      const op = BINARY[e.op];
      const a = compileExpr(e.a);
      const b = compileExpr(e.b);
      f = (env) => op(a(env), b(env));
      break;
    }
    case "select": {
      const c = compileExpr(e.cond);
      const a = compileExpr(e.a);
      const b = compileExpr(e.b);
      f = (env) => (c(env) !== 0 ? a(env) : b(env));
      break;
    }
  }
  compiled.set(e, f);
  return f;
}
