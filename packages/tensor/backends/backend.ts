/**
 * The backend contract: what every compute backend of `@echojepa/tensor` implements (WebGPU, WebAssembly, the
 * plain-TypeScript reference).
 *
 * The front (Tensor, autograd, ops) never sees a device: it holds opaque {@link StorageHandle}s and calls the named
 * kernels of the {@link KernelCatalogue} with typed parameter records. After jax-js's `Backend` and tinygrad's
 * allocator + program split: a backend is memory management plus a fixed set of kernels, and everything above it
 * (validation, broadcasting rules, gradients, the tape) is shared.
 *
 * ## Conventions (apply to every kernel unless its record says otherwise)
 * - Every dtype is 4 bytes (`f32`, `i32`, `u32`). Memory calls (`alloc`, `upload`, `read`, `copy`) count **bytes**;
 *   kernel records count **elements** (sizes, offsets, strides).
 * - Tensors are row-major; "`[A, B, C]`" in a record's docs means element `(a, b, c)` lives at `(a·B + b)·C + c`
 *   from the start of the handle.
 * - Outputs are **overwritten**, every element of the stated extent, and nothing outside it is touched (a pooled
 *   handle's old contents must never leak into a result). Handles named "in place" are read and written.
 * - An output handle is never also an input of the same call (the front guarantees it), except where in place.
 * - Arithmetic is float32: results must agree with the reference backend to float32 rounding of a different
 *   summation order (tests use atol/rtol ≈ 1e-5…1e-4; transcendental functions may differ by a few ulp).
 * - **Stream order.** Calls are synchronous from the front's point of view and take effect in call order: every
 *   call observes the writes of all earlier calls. A backend may defer execution (WebGPU records commands and
 *   submits later) as long as `read` and `sync` see everything called before them. A handle passed to `release`
 *   may still be referenced by deferred work; the backend must not hand its memory out again in a way that lets a
 *   later call overwrite it before that work has run (WebGPU gets this from queue order; an eager backend for free).
 * - Kernels never allocate handles visible to the front; they may use internal scratch memory and must free it.
 * - Kernels do not throw for numeric reasons (NaN/Inf propagate); they may throw for limits (e.g. sizes a device
 *   cannot bind), naming the kernel.
 *
 * @module
 */

/** Element types a tensor can hold; all are 4 bytes. */
export type DType = "f32" | "i32" | "u32";

/**
 * An opaque handle to device memory of at least `bytes` bytes. Only the backend that allocated a handle ever
 * receives it back, so a backend may downcast it to its own class.
 */
export interface StorageHandle {
  /** Usable size in bytes (what was asked of `alloc`; the backend may hold more). */
  readonly bytes: number;
}

/** Live, pooled and peak bytes of device memory held by tensors. */
export interface MemoryStats {
  /** Bytes in handles allocated and not yet released (counted at the backend's allocation size). */
  liveBytes: number;
  /** Bytes in released memory the backend keeps for reuse. */
  pooledBytes: number;
  /** Highest `liveBytes` seen since start or the last `resetPeak`. */
  peakBytes: number;
  /** Number of live handles. */
  liveBuffers: number;
}

/** What a backend is and runs on: tools print it, and run facts record it. */
export interface BackendInfo {
  /** The backend's registry name. */
  name: BackendName;
  /**
   * What it runs on, human-readable: the WebGPU adapter ("llvmpipe (LLVM 15.0.6, 256 bits)"), or for CPU
   * backends e.g. "WebAssembly SIMD128, 2 threads" / "TypeScript reference (float64 accumulation)".
   */
  device: string;
  /** True when the work runs on CPU cores: a CPU backend, or a software rasteriser (llvmpipe, SwiftShader). */
  software: boolean;
  /** CPU threads the backend uses (CPU backends only). */
  threads?: number;
  /** Whether half-precision shaders are available (WebGPU `shader-f16`); informative only. */
  f16?: boolean;
}

/** Limits the front respects when it calls kernels. */
export interface BackendLimits {
  /** Largest single allocation in bytes. */
  maxAllocationBytes: number;
  /**
   * The attention kernels take only head sizes `dh` that are multiples of this (1 = any); the front zero-pads
   * other head sizes (padding changes neither Q·Kᵀ nor the kept output columns).
   */
  attentionHeadDimMultiple: number;
}

/** Names of the backends the registry knows. */
export type BackendName = "webgpu" | "wasm" | "reference";

// ====================================================================================== elementwise expressions

/** Upper bounds of an {@link ElementwiseArgs} call. */
export const ELEMENTWISE_LIMITS = { inputs: 4, scalars: 8, rank: 8 } as const;

/**
 * Unary functions of an expression, all on f32:
 * - `neg` −a; `abs` |a|; `sign` −1/0/+1 (0 for ±0); `exp`; `log` (natural; log 0 = −∞, log of a negative = NaN);
 *   `sqrt`; `rsqrt` 1/√a;
 * - `tanh` (must not overflow for large |a|: ±1); `sigmoid` 1/(1+e^−a), computed so that it neither overflows nor
 *   loses the tail (e^a/(1+e^a) for a < 0);
 * - `erf` the error function (|error| ≤ 1.5e-7 is enough: WebGPU uses Abramowitz–Stegun 7.1.26);
 * - `gelu` exact GELU a·Φ(a) = 0.5·a·(1 + erf(a/√2)); `geluGrad` its derivative 0.5·(1 + erf(a/√2)) + a·φ(a)
 *   with φ(a) = e^(−a²/2)/√(2π).
 */
export type UnaryOp =
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "sqrt"
  | "rsqrt"
  | "tanh"
  | "sigmoid"
  | "erf"
  | "gelu"
  | "geluGrad";

/**
 * Binary functions of an expression, all on f32:
 * - `add sub mul div` IEEE float32 arithmetic;
 * - `pow` aᵇ for any sign of a: a = 0 → (b = 0 ? 1 : b < 0 ? +∞ : 0); a > 0 → aᵇ; a < 0 → NaN when b is not an
 *   integer, else |a|ᵇ negated when b is odd;
 * - `max min` (for non-NaN operands; NaN behaviour is unspecified);
 * - `lt le gt ge eq ne` comparisons giving 1 or 0.
 */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "max"
  | "min"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "eq"
  | "ne";

/**
 * A per-element expression tree; every node's value is an f32.
 * - `input`: input `k`'s element at this output position, converted to f32 (i32/u32 by value: exact below 2²⁴).
 * - `scalar`: `ElementwiseArgs.scalars[k]` rounded to f32. Values that change between calls (learning rates,
 *   seeds, fill values) must be scalars, not constants, so that a compiling backend can reuse its kernel.
 * - `const`: a literal rounded to f32, part of the kernel's identity (e.g. 0.5 in a formula).
 * - `index`: the flat output index `i` as f32 (exact below 2²⁴; `arange`).
 * - `unary`, `binary`: see {@link UnaryOp}, {@link BinaryOp}.
 * - `select`: `cond ≠ 0 ? a : b` (both branches may be evaluated; the unselected one's NaNs do not leak).
 *
 * Trees are immutable; the front builds the fixed ones once, so a backend may cache work per tree object
 * (e.g. a `WeakMap` from tree to compiled kernel) or per structure.
 */
export type Expr =
  | { readonly kind: "input"; readonly input: number }
  | { readonly kind: "scalar"; readonly scalar: number }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "index" }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly a: Expr }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly kind: "select"; readonly cond: Expr; readonly a: Expr; readonly b: Expr };

/**
 * An input read through explicit strides: for output index (i₀ … i_{r−1}) the element is at
 * `offset + Σ_d i_d · strides[d]` (elements). Stride 0 broadcasts; permutes and slices are other strides.
 * `strides.length` equals the output rank.
 */
export interface StridedInput {
  /** The input's memory. */
  handle: StorageHandle;
  /** Its element type. */
  dtype: DType;
  /** Element offset of index (0, …, 0). */
  offset: number;
  /** Element stride per output dimension (0 = broadcast). */
  strides: readonly number[];
}

/**
 * `out[i] = convert(expr(inputs at i, scalars, i))` for every flat index i of the contiguous output `shape`.
 * Converting to the output dtype: f32 as is; i32 and u32 truncate toward zero and clamp to the type's range
 * (NaN → 0). An empty shape (rank 0) has one element; a zero dimension means no work.
 */
export interface ElementwiseArgs {
  /** The expression; `input` nodes index `inputs`, `scalar` nodes index `scalars`. */
  expr: Expr;
  /** Up to {@link ELEMENTWISE_LIMITS}.inputs strided inputs. */
  inputs: readonly StridedInput[];
  /** Up to {@link ELEMENTWISE_LIMITS}.scalars run-time scalars. */
  scalars: readonly number[];
  /** Output shape (rank ≤ {@link ELEMENTWISE_LIMITS}.rank); the output is contiguous. */
  shape: readonly number[];
  /** Output memory: `product(shape)` elements. */
  out: StorageHandle;
  /** Output element type. */
  outDType: DType;
  /** A name for profiles and error messages (e.g. "add", "gelu_grad"); not part of the semantics. */
  label: string;
}

// ====================================================================================== other kernels

/**
 * Reduction over the middle axis of x viewed as `[outer, r, inner]` (f32):
 * `out[o·inner + n] = scale · ⊕_{j<r} x[(o·r + j)·inner + n]`, ⊕ = sum, max or min. Empty r gives scale·0 for sum,
 * scale·(−3.4e38) for max and scale·3.4e38 for min. Summation order is free.
 */
export interface ReduceArgs {
  kind: "sum" | "max" | "min";
  x: StorageHandle;
  out: StorageHandle;
  outer: number;
  r: number;
  inner: number;
  /** Multiplier of the result (1/r makes a mean). */
  scale: number;
}

/**
 * Batched matrix product with transpose flags and a fused bias (f32):
 *
 *   out_z = Σ_{s<accBatch} op(A_{z·accBatch+s}) · op(B_{z·accBatch+s}) (+ bias)     for z < outBatches
 *
 * - A_t is at element `t·strideA` of `a`: `[m, k]` row-major, or `[k, m]` with `transA` (op = transpose).
 * - B_t is at `t·strideB` of `b`: `[k, n]`, or `[n, k]` with `transB`. A stride of 0 shares one matrix.
 * - out_z is `[m, n]` at `z·m·n` of `out`, overwritten; `bias` `[n]` (or null) is added to every row, once.
 * - `accBatch > 1` sums products over a batch inside one output (a shared weight's gradient).
 * - k = 0 or accBatch = 0: out is zeros (plus bias).
 */
export interface MatmulArgs {
  a: StorageHandle;
  b: StorageHandle;
  bias: StorageHandle | null;
  out: StorageHandle;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  outBatches: number;
  accBatch: number;
  strideA: number;
  strideB: number;
}

/**
 * Softmax or log-softmax over the last axis of x `[rows, n]` (f32), max-subtracted so large logits do not overflow:
 * m = max_j x, s = Σ_j e^(x−m); softmax y = e^(x−m)/s; logSoftmax y = x − m − log s.
 */
export interface SoftmaxArgs {
  kind: "softmax" | "logSoftmax";
  x: StorageHandle;
  out: StorageHandle;
  rows: number;
  n: number;
}

/**
 * Backward of {@link SoftmaxArgs} from its saved output y and the output gradient g (both `[rows, n]`):
 * softmax dx = y ⊙ (g − Σ_j g⊙y); logSoftmax dx = g − e^y ⊙ Σ_j g.
 */
export interface SoftmaxBackwardArgs {
  kind: "softmax" | "logSoftmax";
  y: StorageHandle;
  g: StorageHandle;
  out: StorageHandle;
  rows: number;
  n: number;
}

/**
 * LayerNorm over the last axis of x `[rows, d]` (f32). Per row: mean μ = Σx/d, then (second pass, so a large mean
 * loses no accuracy) σ² = Σ(x−μ)²/d, ρ = 1/√(σ² + eps); `out = (x−μ)·ρ` then `·weight[j] + bias[j]` when affine
 * (`weight` and `bias` both given or both null). Writes `mean[row] = μ` and `rstd[row] = ρ` for the backward.
 */
export interface LayerNormArgs {
  x: StorageHandle;
  weight: StorageHandle | null;
  bias: StorageHandle | null;
  out: StorageHandle;
  /** `[rows]` f32, overwritten. */
  mean: StorageHandle;
  /** `[rows]` f32, overwritten. */
  rstd: StorageHandle;
  rows: number;
  d: number;
  eps: number;
}

/**
 * The input gradient of LayerNorm from the saved statistics: with x̂ = (x−μ)ρ and ĝ = g·weight (g when not affine),
 * `dx = ρ·(ĝ − x̂·mean_j(ĝ⊙x̂) − mean_j(ĝ))`. (dweight and dbias are composed by the front from elementwise and
 * reduce calls.)
 */
export interface LayerNormBackwardArgs {
  x: StorageHandle;
  weight: StorageHandle | null;
  mean: StorageHandle;
  rstd: StorageHandle;
  g: StorageHandle;
  dx: StorageHandle;
  rows: number;
  d: number;
}

/** A key-padding mask `[batch, nk]`: key j of batch element b is attended when `mask[b·nk + j]` is non-zero. */
export interface AttentionMask {
  handle: StorageHandle;
  /** For f32, "non-zero" means any bit but the sign bit is set (−0 counts as zero, NaN as non-zero). */
  dtype: DType;
}

/**
 * Scaled-dot-product attention per (batch element, head), f32:
 *
 *   out[b,h,i,:] = Σ_j P_ij · v[b,h,j,:],   P_i = softmax over attended j of scale · q[b,h,i,:]·k[b,h,j,:]
 *
 * q `[batch, heads, nq, dh]`, k and v `[batch, heads, nk, dh]`, out like q. A query row with no attended key
 * outputs zeros (not NaN). `lse` `[batch·heads·nq]` receives each row's log-sum-exp of its scaled scores, in
 * whatever base and form the backend likes (0 for rows with no attended key is conventional): only the same
 * backend's {@link AttentionBackwardArgs} reads it, which lets a backend recompute P without storing nq×nk scores.
 * `dh` is a multiple of {@link BackendLimits.attentionHeadDimMultiple}; nq, nk, dh ≥ 1.
 */
export interface AttentionArgs {
  q: StorageHandle;
  k: StorageHandle;
  v: StorageHandle;
  mask: AttentionMask | null;
  out: StorageHandle;
  lse: StorageHandle;
  batch: number;
  heads: number;
  nq: number;
  nk: number;
  dh: number;
  scale: number;
}

/**
 * Gradients of {@link AttentionArgs} given its saved `out` and `lse` and the output gradient `dout` (like q):
 * with D_i = Σ_d dout_i ⊙ out_i and dS_ij = P_ij·(dout_i·v_j − D_i): dq_i = scale·Σ_j dS_ij k_j,
 * dk_j = scale·Σ_i dS_ij q_i, dv_j = Σ_i P_ij dout_i. Masked keys and fully masked rows get zero gradient.
 * Each of dq, dk, dv may be null (not wanted); those given are overwritten.
 */
export interface AttentionBackwardArgs {
  q: StorageHandle;
  k: StorageHandle;
  v: StorageHandle;
  mask: AttentionMask | null;
  out: StorageHandle;
  lse: StorageHandle;
  dout: StorageHandle;
  dq: StorageHandle | null;
  dk: StorageHandle | null;
  dv: StorageHandle | null;
  batch: number;
  heads: number;
  nq: number;
  nk: number;
  dh: number;
  scale: number;
}

/**
 * Row gather along the token axis (f32 x, i32 idx): `out[b, j, :] = x[b, idx[·, j], :]` for x `[batch, n, d]`,
 * out `[batch, k, d]`; the index row is `idx[b·k + j]` when `idxBatched`, else `idx[j]` (one `[1, k]` row shared).
 * Indices outside [0, n) give zero rows.
 */
export interface GatherArgs {
  x: StorageHandle;
  idx: StorageHandle;
  out: StorageHandle;
  batch: number;
  n: number;
  k: number;
  d: number;
  idxBatched: boolean;
}

/**
 * Scatter-add, the gradient of gather: `out[b, t, :] = base[b, t, :] + Σ_{j : idx[·, j] = t} src[b, j, :]` for
 * out `[batch, n, d]`, src `[batch, k, d]`; `base` null means zeros. Repeated indices accumulate; indices outside
 * [0, n) are ignored. Index rows as in {@link GatherArgs}.
 */
export interface ScatterAddArgs {
  base: StorageHandle | null;
  idx: StorageHandle;
  src: StorageHandle;
  out: StorageHandle;
  batch: number;
  n: number;
  k: number;
  d: number;
  idxBatched: boolean;
}

/**
 * Writes one part of a concatenation (f32): x viewed as `[outer, len, inner]`
 * goes to `out[o, start + l, r]` of out viewed as `[outer, outLen, inner]`. Nothing else of out is touched (the
 * front calls it once per part).
 */
export interface ConcatPartArgs {
  x: StorageHandle;
  out: StorageHandle;
  outer: number;
  len: number;
  inner: number;
  outLen: number;
  start: number;
}

/**
 * Where a rotary kernel finds head vectors of a `[batch, heads, tokens, headDim]` view: element k of the head
 * vector of (b, h, n) is at `b·batch + n·token + h·head + offset + k` (elements).
 */
export interface HeadLayout {
  batch: number;
  token: number;
  head: number;
  offset: number;
}

/**
 * Rotary position parameters shared by {@link RopeGatherArgs} and {@link RopeScatterArgs}: the 3-axis RoPE of
 * V-JEPA 2 with its tiled frequencies (see `packages/vit/rope.ts` for why).
 *
 * A head vector is split into `[temporal axisDim | height axisDim | width axisDim | rest]`; the rest (and every
 * element when axisDim = 0) is copied unchanged. Token n's position id is `ids[b·tokens + n]` (i32) when `ids` is
 * given, else n; its coordinates are t = id / perFrame, row = (id mod perFrame) / perRow, col = id mod perRow
 * (integer division). Within a part, element m (0 ≤ m < axisDim) at coordinate pos has the angle
 * θ(m) = pos / 10000^((m mod half)/half), half = axisDim/2, and its pair partner is p = m xor 1:
 *
 *   forward    y[m] = x[m]·cos θ(m) + s·x[p]·sin θ(m)          s = −1 for even m, +1 for odd m
 *   transpose  y[m] = x[m]·cos θ(m) − s·x[p]·sin θ(p)          (the backward: the map is not orthogonal)
 */
export interface RopeParams {
  ids: StorageHandle | null;
  axisDim: number;
  perFrame: number;
  perRow: number;
}

/**
 * Reads head vectors through `layout` into a contiguous out `[batch, heads, tokens, headDim]`, rotating them
 * (forward, or transposed when `transpose`). Used for RoPE on `[B, H, N, hd]` and to split a fused qkv projection
 * `[B, N, 3D]` into heads.
 */
export interface RopeGatherArgs {
  x: StorageHandle;
  out: StorageHandle;
  rope: RopeParams;
  layout: HeadLayout;
  batch: number;
  heads: number;
  tokens: number;
  headDim: number;
  transpose: boolean;
}

/**
 * The gradient of a qkv split: g `[batch, heads, tokens, headDim]` (contiguous) goes, transposed-rotated, into
 * columns `offset … offset + heads·headDim − 1` of out `[batch, tokens, width]`; every other column of out is zero.
 */
export interface RopeScatterArgs {
  g: StorageHandle;
  out: StorageHandle;
  rope: RopeParams;
  batch: number;
  heads: number;
  tokens: number;
  headDim: number;
  width: number;
  offset: number;
}

/**
 * Inverted dropout with a counter-based mask (f32): `out[i] = x[i] · (keep(i) ? scale : 0)`, where with
 * pf = fround(p), `keep(i)` ⇔ `(hash(i xor ((seed · 0x9e3779b9) mod 2³²)) >>> 8) ≥ pf · 2²⁴` and
 * scale = fround(1 / fround(1 − pf)). `hash` is lowbias32 on u32:
 * `x ^= x>>>16; x = x·0x7feb352d; x ^= x>>>15; x = x·0x846ca68b; x ^= x>>>16` (multiplications mod 2³²).
 * The backward applies the same call to the output gradient, so the mask is never stored. seed is an integer in
 * [0, 2²⁴).
 */
export interface DropoutArgs {
  x: StorageHandle;
  out: StorageHandle;
  n: number;
  seed: number;
  p: number;
}

/**
 * One fused AdamW step in place on `param`, `m`, `v` (all `[n]` f32; `grad` read only), PyTorch's operation
 * order, with every coefficient rounded to f32 first:
 *   m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  param ← param·decay − stepSize · m / (√v · invSqrtBc2 + eps)
 * where the front passes decay = 1 − lr·wd, stepSize = lr/(1−β₁ᵗ), invSqrtBc2 = 1/√(1−β₂ᵗ).
 */
export interface AdamWArgs {
  param: StorageHandle;
  grad: StorageHandle;
  m: StorageHandle;
  v: StorageHandle;
  n: number;
  decay: number;
  stepSize: number;
  beta1: number;
  beta2: number;
  invSqrtBc2: number;
  eps: number;
}

/**
 * One SGD step in place (PyTorch `torch.optim.SGD`): d = g + wd·param; with momentum (buf given)
 * b = first ? d : μ·b + (1−dampening)·d, buf ← b, d = nesterov ? d + μ·b : b; then param ← param − lr·d.
 * On the first step buf's old contents are never read.
 */
export interface SgdArgs {
  param: StorageHandle;
  grad: StorageHandle;
  buf: StorageHandle | null;
  n: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  first: boolean;
}

/** EMA update in place: `target ← momentum·target + (1 − momentum)·online` (f32 `[n]`; online read only). */
export interface EmaArgs {
  target: StorageHandle;
  online: StorageHandle;
  n: number;
  momentum: number;
}

/**
 * The global L2 norm of several f32 arrays together, without a readback: `norm[0] = √(Σ_t Σ_i x_t[i]²)` and
 * `scale[0] = min(maxNorm / (norm + 1e-6), 1)` (PyTorch `clip_grad_norm_`'s coefficient). Both outputs are
 * one-element f32 handles. An empty list gives norm 0.
 */
export interface GlobalNormArgs {
  tensors: readonly { handle: StorageHandle; n: number }[];
  norm: StorageHandle;
  scale: StorageHandle;
  maxNorm: number;
}

/** `x[i] ← x[i] · scale[0]` in place for i < n (f32; `scale` a one-element handle, e.g. from globalNorm). */
export interface ScaleArgs {
  x: StorageHandle;
  n: number;
  scale: StorageHandle;
}

/** Every named kernel with its parameter record. */
export interface KernelCatalogue {
  elementwise: ElementwiseArgs;
  reduce: ReduceArgs;
  matmul: MatmulArgs;
  softmax: SoftmaxArgs;
  softmaxBackward: SoftmaxBackwardArgs;
  layerNorm: LayerNormArgs;
  layerNormBackward: LayerNormBackwardArgs;
  attention: AttentionArgs;
  attentionBackward: AttentionBackwardArgs;
  gather: GatherArgs;
  scatterAdd: ScatterAddArgs;
  concatPart: ConcatPartArgs;
  ropeGather: RopeGatherArgs;
  ropeScatter: RopeScatterArgs;
  dropout: DropoutArgs;
  adamw: AdamWArgs;
  sgd: SgdArgs;
  ema: EmaArgs;
  globalNorm: GlobalNormArgs;
  scale: ScaleArgs;
}

/** The name of a kernel in the catalogue. */
export type KernelName = keyof KernelCatalogue;

/** The kernels as methods: `backend.matmul({...})`. */
export type Kernels = { [K in KernelName]: (args: KernelCatalogue[K]) => void };

/** A compute backend: memory management plus the kernel catalogue. */
export interface Backend extends Kernels {
  /** What it is and runs on. */
  readonly info: BackendInfo;
  /** Limits the front respects. */
  readonly limits: BackendLimits;
  /** When set, the backend counts every kernel it runs here, by a name of its choosing (profiles, tests). */
  kernelCounts: Map<string, number> | null;

  /** A handle of at least `bytes` bytes (≥ 1 is asked even for empty tensors); contents are undefined. */
  alloc(bytes: number): StorageHandle;
  /** Returns a handle's memory (to a pool or the system); the handle is not used again by the front. */
  release(handle: StorageHandle): void;
  /** Copies host bytes into `dst` at byte `dstOffset`, in stream order. */
  upload(dst: StorageHandle, data: ArrayBufferView, dstOffset?: number): void;
  /** Copies `bytes` bytes between handles, in stream order (`src` and `dst` may be the same only if disjoint). */
  copy(src: StorageHandle, srcOffset: number, dst: StorageHandle, dstOffset: number, bytes: number): void;
  /**
   * Resolves with `bytes` bytes of `src` from byte `offset`, after everything called before it. Reads started in
   * the same tick should share one device round trip where that matters (WebGPU).
   */
  read(src: StorageHandle, bytes: number, offset?: number): Promise<ArrayBuffer>;
  /** Resolves when all work called so far has finished; rejects with the first device error since the last sync. */
  sync(): Promise<void>;
  /** Current memory counters. */
  memoryStats(): MemoryStats;
  /** Restarts peak tracking from the current live bytes. */
  resetPeak(): void;
  /** Frees pooled (released) memory after finishing queued work. */
  trim(): Promise<void>;
  /** Frees everything the backend holds (worker threads, device); the backend is unusable afterwards. */
  dispose(): Promise<void>;
}

/** Options a backend factory receives from `init`. */
export interface BackendOptions {
  /** CPU threads (CPU backends; default: one per core). */
  threads?: number;
}

/** Creates a backend; rejects (with a reason) when the backend cannot run here. */
export type BackendFactory = (options: BackendOptions) => Promise<Backend>;
