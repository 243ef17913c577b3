/**
 * Building elementwise expression trees ({@link Expr}) for the backends' elementwise kernel: short constructors,
 * and the names `a b c d` for inputs 0–3 and `s0…s7` for the run-time scalars.
 *
 * Trees that never change are built once at module load, so a backend can cache its compiled kernel per tree.
 */

import type { BinaryOp, Expr, UnaryOp } from "../backends/backend.ts";

/** Input `k` of the call. */
export const input = (k: number): Expr => ({ kind: "input", input: k });
/** Run-time scalar `k` of the call. */
export const scalar = (k: number): Expr => ({ kind: "scalar", scalar: k });
/** A literal constant (part of the kernel's identity: use {@link scalar} for values that change). */
export const lit = (value: number): Expr => ({ kind: "const", value });
/** The flat output index. */
export const INDEX: Expr = { kind: "index" };
/** A unary function. */
export const un = (op: UnaryOp, a: Expr): Expr => ({ kind: "unary", op, a });
/** A binary function. */
export const bin = (op: BinaryOp, a: Expr, b: Expr): Expr => ({ kind: "binary", op, a, b });
/** `cond ≠ 0 ? a : b`. */
export const select = (cond: Expr, a: Expr, b: Expr): Expr => ({ kind: "select", cond, a, b });

/** Input 0. */
export const A: Expr = input(0);
/** Input 1. */
export const B: Expr = input(1);
/** Input 2. */
export const C: Expr = input(2);
/** Input 3. */
export const D: Expr = input(3);
/** Run-time scalar 0. */
export const S0: Expr = scalar(0);
/** Run-time scalar 1. */
export const S1: Expr = scalar(1);

/** a + b. */
export const add = (a: Expr, b: Expr): Expr => bin("add", a, b);
/** a − b. */
export const sub = (a: Expr, b: Expr): Expr => bin("sub", a, b);
/** a · b. */
export const mul = (a: Expr, b: Expr): Expr => bin("mul", a, b);
/** a / b. */
export const div = (a: Expr, b: Expr): Expr => bin("div", a, b);
