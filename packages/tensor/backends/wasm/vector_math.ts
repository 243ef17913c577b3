/**
 * Transcendental elementwise kernels of the wasm backend in SIMD128: exact GELU forward and backward, and the
 * in-place `exp(v·scale − shift)` of attention's softmax rows. JavaScript's `Math.exp` costs ≈ 15–30 ns an element
 * in the generated loops (the demo step spent a third of its time in GELU); the SIMD GELU forward or backward
 * costs ≈ 4 ns an element on one thread, exp and erf included.
 *
 * exp: Cody–Waite range reduction `x = n·ln2 + r` (ln2 split in a short high part and a correction), a degree-5
 * polynomial for `(eʳ − 1 − r)/r²`, and `2ⁿ` built in the exponent bits; ≈ 1 ulp for arguments in
 * [−87.3, 88.3] (they are clamped to it: smaller arguments give ≈ 1e-38 instead of a denormal or 0).
 * erf: Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), the same approximation as the WebGPU backend.
 */

import { F32, FunctionBuilder, I32, V128 } from "./emitter.ts";

const LOG2E = 1.4426950408889634;
// ln 2 = LN2_HI + LN2_LO with LN2_HI exact in a few bits, so n·LN2_HI is exact for the n that occur.
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
// (eʳ − 1 − r)/r² on |r| ≤ ln2/2, highest degree first.
const EXP_POLY = [
  1.9875691500e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
];
// Abramowitz & Stegun 7.1.26: erf(u) ≈ 1 − t·(a1 + t·(a2 + …))·e^(−u²), t = 1/(1 + p·u), u ≥ 0.
const ERF_P = 0.3275911;
const ERF_A = [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592];
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Pushes a four-lane f32 constant. */
function splat(f: FunctionBuilder, c: number): FunctionBuilder {
  return f.f32(c).f32x4Splat();
}

/** Horner's rule over `coeffs` (highest degree first) in `x`, leaving the value on the stack. */
function horner(f: FunctionBuilder, x: number, coeffs: readonly number[]): void {
  splat(f, coeffs[0]);
  for (const c of coeffs.slice(1)) f.get(x).f32x4Mul().f32(c).f32x4Splat().f32x4Add();
}

/** Emits `e^x` of the vector in local `x` (which it overwrites), leaving the result on the stack. */
function emitExp(f: FunctionBuilder, x: number, n: number, r: number): void {
  f.get(x).f32(88.3).f32x4Splat().f32x4Min().f32(-87.3).f32x4Splat().f32x4Max().set(x);
  f.get(x).f32(LOG2E).f32x4Splat().f32x4Mul().f32x4Nearest().set(n);
  f.get(x).get(n).f32(LN2_HI).f32x4Splat().f32x4Mul().f32x4Sub();
  f.get(n).f32(LN2_LO).f32x4Splat().f32x4Mul().f32x4Sub().set(r);
  // 1 + r + r²·P(r)
  horner(f, r, EXP_POLY);
  f.get(r).f32x4Mul().get(r).f32x4Mul().get(r).f32x4Add().f32(1).f32x4Splat().f32x4Add();
  // · 2ⁿ: the biased exponent n + 127 shifted into place.
  f.get(n).i32x4TruncSatF32x4S().i32(127).i32x4Splat().i32x4Add().i32(23).i32x4Shl();
  f.f32x4Mul();
}

/** Locals one GELU evaluation needs. */
interface GeluLocals {
  x: number;
  e: number;
  t: number;
  n: number;
  r: number;
  phi2: number;
}

function geluLocals(f: FunctionBuilder): GeluLocals {
  return {
    x: f.local(V128),
    e: f.local(V128),
    t: f.local(V128),
    n: f.local(V128),
    r: f.local(V128),
    phi2: f.local(V128),
  };
}

/**
 * From `x` in `l.x`, sets `l.phi2 = 1 + erf(x/√2)` (= 2Φ(x)) and `l.e = e^(−x²/2)`; `l.x` keeps x.
 */
function emitPhi(f: FunctionBuilder, l: GeluLocals): void {
  // u = x/√2; e = exp(−u²) (computed in l.e; emitExp overwrites its argument local).
  f.get(l.x).f32(Math.SQRT1_2).f32x4Splat().f32x4Mul().set(l.t);
  f.get(l.t).get(l.t).f32x4Mul().f32x4Neg().set(l.e);
  emitExp(f, l.e, l.n, l.r);
  f.set(l.e);
  // Sign of u into l.n (bit mask), |u| into l.t, then t = 1/(1 + p|u|).
  f.get(l.t).i32(-0x80000000).i32x4Splat().v128And().set(l.n);
  f.f32(1).f32x4Splat().get(l.t).f32x4Abs().f32(ERF_P).f32x4Splat().f32x4Mul().f32(1).f32x4Splat().f32x4Add();
  f.f32x4Div().set(l.t);
  // erf(|u|) = 1 − t·poly(t)·e; copy u's sign; 2Φ = 1 + erf(u).
  f.f32(1).f32x4Splat();
  horner(f, l.t, ERF_A);
  f.get(l.t).f32x4Mul().get(l.e).f32x4Mul().f32x4Sub();
  f.get(l.n).v128Xor().f32(1).f32x4Splat().f32x4Add().set(l.phi2);
}

/** Emits `gelu(x) = ½·x·2Φ(x)` of the vector in `l.x`, leaving it on the stack. */
function emitGelu(f: FunctionBuilder, l: GeluLocals): void {
  emitPhi(f, l);
  f.get(l.x).get(l.phi2).f32x4Mul().f32(0.5).f32x4Splat().f32x4Mul();
}

/** Emits `gelu'(x) = ½·2Φ(x) + x·φ(x)` of the vector in `l.x`, leaving it on the stack. */
function emitGeluGrad(f: FunctionBuilder, l: GeluLocals): void {
  emitPhi(f, l);
  f.get(l.phi2).f32(0.5).f32x4Splat().f32x4Mul();
  f.get(l.x).get(l.e).f32x4Mul().f32(INV_SQRT_2PI).f32x4Splat().f32x4Mul().f32x4Add();
}

/**
 * A kernel mapping `inputs` contiguous f32 arrays to one: params `(in₀, …, out, n, ...f32 scalars)`, pointers in
 * bytes. `value(loads)` emits the result vector from locals holding each input's four lanes; the last `n mod 4`
 * elements go one at a time through the same code (splat in, lane 0 out), so they get the same rounding.
 */
function mapKernel(
  inputs: number,
  scalars: number,
  value: (f: FunctionBuilder, loaded: number[], scalarParams: number[]) => void,
): FunctionBuilder {
  const f = new FunctionBuilder(
    [...Array(inputs + 2).fill(I32), ...Array(scalars).fill(F32)],
    [],
  );
  const ins = Array.from({ length: inputs }, (_, k) => k);
  const out = inputs;
  const n = inputs + 1;
  const scalarParams = Array.from({ length: scalars }, (_, k) => inputs + 2 + k);
  const i = f.local(I32);
  const lim = f.local(I32);
  const at = f.local(I32);
  const loaded = ins.map(() => f.local(V128));
  f.get(n).i32(3).i32Sub().set(lim);
  f.for(i, () => f.i32(0), lim, 4, () => {
    f.get(i).i32(2).i32Shl().set(at);
    ins.forEach((p, k) => f.get(p).get(at).i32Add().v128Load(0).set(loaded[k]));
    f.get(out).get(at).i32Add();
    value(f, loaded, scalarParams);
    f.v128Store(0);
  });
  f.for(i, () => f.get(i), n, 1, () => {
    f.get(i).i32(2).i32Shl().set(at);
    ins.forEach((p, k) => f.get(p).get(at).i32Add().f32Load(0).f32x4Splat().set(loaded[k]));
    f.get(out).get(at).i32Add();
    value(f, loaded, scalarParams);
    f.f32x4ExtractLane(0).f32Store(0);
  });
  return f;
}

/** `geluForward(x, out, n)`: out = gelu(x). */
function geluForwardKernel(): FunctionBuilder {
  let l: GeluLocals | null = null;
  const f = mapKernel(1, 0, (f, [x]) => {
    l ??= geluLocals(f);
    f.get(x).set(l.x);
    emitGelu(f, l);
  });
  return f;
}

/** `geluBackward(x, g, out, n)`: out = g · gelu'(x). */
function geluBackwardKernel(): FunctionBuilder {
  let l: GeluLocals | null = null;
  return mapKernel(2, 0, (f, [x, g]) => {
    l ??= geluLocals(f);
    f.get(x).set(l.x);
    emitGeluGrad(f, l);
    f.get(g).f32x4Mul();
  });
}

/** `expScaled(v, out, n, scale, shift)`: out = exp(v·scale − shift) (out may be v). */
function expScaledKernel(): FunctionBuilder {
  let n = -1;
  let r = -1;
  return mapKernel(1, 2, (f, [v], [scale, shift]) => {
    if (n < 0) {
      n = f.local(V128);
      r = f.local(V128);
    }
    f.get(v).get(scale).f32x4Splat().f32x4Mul().get(shift).f32x4Splat().f32x4Sub().set(v);
    emitExp(f, v, n, r);
  });
}

/** The functions this file adds to the kernel module. */
export interface VectorMathExports {
  /** `out[i] = gelu(x[i])` for i < n (exact GELU, erf to 1.5e-7); byte pointers. */
  geluForward(x: number, out: number, n: number): void;
  /** `out[i] = g[i] · gelu'(x[i])` for i < n; byte pointers. */
  geluBackward(x: number, g: number, out: number, n: number): void;
  /** `out[i] = exp(v[i]·scale − shift)` for i < n; `out` may be `v`; byte pointers. */
  expScaled(v: number, out: number, n: number, scale: number, shift: number): void;
}

/** The vector-math kernels by export name. */
export function vectorMathKernels(): Record<keyof VectorMathExports, FunctionBuilder> {
  return {
    geluForward: geluForwardKernel(),
    geluBackward: geluBackwardKernel(),
    expScaled: expScaledKernel(),
  };
}
