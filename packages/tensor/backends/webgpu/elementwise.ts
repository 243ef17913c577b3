/**
 * The elementwise kernel family: an expression tree ({@link Expr}) rendered to one WGSL expression over up to four
 * strided inputs `a b c d` and eight scalars `s0…s7`, evaluated per output element.
 *
 * Shapes, strides and scalars go through the uniform slot, so one pipeline serves every shape; pipelines differ only
 * by expression, input count, dtypes and whether broadcasting index math is needed. Rendered sources are cached per
 * tree object (the front builds its fixed trees once) and pipelines per source.
 */

import type {
  BinaryOp,
  DType,
  ElementwiseArgs,
  Expr,
  StorageHandle,
  StridedInput,
  UnaryOp,
} from "../backend.ts";
import { f32Bits, type GpuRuntime, grid1d } from "./runtime.ts";
import { gpuBuffer } from "./storage.ts";

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
// pow for any sign of the base: WGSL's pow is undefined for x < 0, but integer exponents of negatives are common.
fn pow_(x: f32, y: f32) -> f32 {
  if (x == 0.0) { return select(select(0.0, 1.0, y == 0.0), bitcast<f32>(0x7f800000u), y < 0.0); }
  if (x > 0.0) { return pow(x, y); }
  if (fract(y) != 0.0) { return bitcast<f32>(0x7fc00000u); }
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

const UNARY_WGSL: Record<UnaryOp, (a: string) => string> = {
  neg: (a) => `(-${a})`,
  abs: (a) => `abs(${a})`,
  sign: (a) => `sign(${a})`,
  exp: (a) => `exp(${a})`,
  log: (a) => `log(${a})`,
  sqrt: (a) => `sqrt(${a})`,
  rsqrt: (a) => `inverseSqrt(${a})`,
  tanh: (a) => `tanh_(${a})`,
  sigmoid: (a) => `sigmoid_(${a})`,
  erf: (a) => `erf_(${a})`,
  gelu: (a) => `gelu_(${a})`,
  geluGrad: (a) => `gelu_grad_(${a})`,
};

const infix = (op: string) => (a: string, b: string): string => `(${a} ${op} ${b})`;
const compare = (op: string) => (a: string, b: string): string => `select(0.0, 1.0, ${a} ${op} ${b})`;

const BINARY_WGSL: Record<BinaryOp, (a: string, b: string) => string> = {
  add: infix("+"),
  sub: infix("-"),
  mul: infix("*"),
  div: infix("/"),
  pow: (a, b) => `pow_(${a}, ${b})`,
  max: (a, b) => `max(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
  lt: compare("<"),
  le: compare("<="),
  gt: compare(">"),
  ge: compare(">="),
  eq: compare("=="),
  ne: compare("!="),
};

/** A WGSL f32 literal for a constant (rounded to f32 first, as the contract says). */
function literal(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return "bitcast<f32>(0x7fc00000u)";
  if (!Number.isFinite(f)) return f > 0 ? "bitcast<f32>(0x7f800000u)" : "bitcast<f32>(0xff800000u)";
  const text = String(f);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

const rendered = new WeakMap<Expr, string>();

/** The WGSL expression of a tree; inputs are `a b c d`, scalars `s0…s7`, the flat index `fi`. */
export function renderWgsl(e: Expr): string {
  let s = rendered.get(e);
  if (s !== undefined) return s;
  switch (e.kind) {
    case "input":
      s = NAMES[e.input];
      break;
    case "scalar":
      s = `s${e.scalar}`;
      break;
    case "const":
      s = literal(e.value);
      break;
    case "index":
      s = "fi";
      break;
    case "unary":
      s = UNARY_WGSL[e.op](renderWgsl(e.a));
      break;
    case "binary":
      s = BINARY_WGSL[e.op](renderWgsl(e.a), renderWgsl(e.b));
      break;
    case "select":
      s = `select(${renderWgsl(e.b)}, ${renderWgsl(e.a)}, ${renderWgsl(e.cond)} != 0.0)`;
      break;
  }
  rendered.set(e, s);
  return s;
}

const sources = new Map<string, string>();

/** Runs one elementwise call (see {@link ElementwiseArgs}). */
export function runElementwise(rt: GpuRuntime, args: ElementwiseArgs): void {
  launchExpression(
    rt,
    args.label,
    renderWgsl(args.expr),
    args.inputs,
    args.scalars,
    args.shape,
    args.out,
    args.outDType,
  );
}

/**
 * Dispatches a WGSL expression over strided inputs (the elementwise kernel, also used by dropout, whose hash needs
 * integer WGSL that the expression tree does not have).
 */
export function launchExpression(
  rt: GpuRuntime,
  label: string,
  expr: string,
  inputs: readonly StridedInput[],
  scalars: readonly number[],
  shape: readonly number[],
  out: StorageHandle,
  outDType: DType,
): void {
  if (inputs.length > MAX_INPUTS) throw new Error(`${label}: at most ${MAX_INPUTS} inputs`);
  if (scalars.length > 8) throw new Error(`${label}: at most 8 scalars`);
  if (shape.length > MAX_RANK) throw new RangeError(`${label}: rank ${shape.length} exceeds ${MAX_RANK}`);
  let n = 1;
  for (const d of shape) n *= d;
  const contiguous = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
    contiguous[i] = acc;
    acc *= shape[i];
  }
  const direct = inputs.every((x) =>
    x.offset === 0 && x.handle.bytes >= n * 4 && x.strides.length === shape.length &&
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
  const dtypes = inputs.map((x) => x.dtype);
  const key = `${expr}|${dtypes.join()}|${outDType}|${direct}`;
  let code = sources.get(key);
  if (code === undefined) sources.set(key, code = kernelSource(expr, dtypes, outDType, !direct));
  rt.dispatch(label, code, inputs.map((x) => gpuBuffer(x.handle)), [gpuBuffer(out)], params, grid1d(n));
}
