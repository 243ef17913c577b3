/**
 * 3-axis rotary position embedding (RoPE) exactly as V-JEPA 2 / EchoJEPA apply it (`RoPEAttention` and
 * `rotate_queries_or_keys` in the reference's `src/models/utils/modules.py`).
 *
 * Each head vector of width `headDim` is split into `[temporal d | height d | width d | rest]` with
 * `d = 2·floor(floor(headDim/3)/2)`; each d-wide part is rotated by the token's coordinate along its axis and the
 * rest passes through unchanged. Coordinates come from the token's index in the full (t, h, w) raster grid, so a
 * subset of tokens (after masking) keeps the positions it had in the full clip.
 *
 * THE TILED-FREQUENCY QUIRK (compatibility-critical). Within a d-wide part the reference builds the angles
 * θ_i = pos · 10000^(−i/(d/2)), i = 0…d/2−1, and then *tiles* them (`torch.repeat`) to length d:
 * `[θ_0 … θ_{d/2−1}, θ_0 … θ_{d/2−1}]`, while it rotates *adjacent* pairs (2j, 2j+1). Element m therefore uses
 * angle θ_{m mod d/2}, and the two members of a pair use different angles:
 *
 *     out[2j]   = x[2j]  ·cos θ_{2j mod d/2}     − x[2j+1]·sin θ_{2j mod d/2}
 *     out[2j+1] = x[2j+1]·cos θ_{(2j+1) mod d/2} + x[2j]  ·sin θ_{(2j+1) mod d/2}
 *
 * A textbook RoPE (one angle per pair) does not reproduce the released V-JEPA 2 / EchoJEPA weights, which were
 * trained with this map. Because a pair's two angles differ, the 2×2 map [[cos a, −sin a], [sin b, cos b]] is not
 * orthogonal, so the backward pass applies its *transpose* (not its inverse):
 *
 *     gx[2j]   = g[2j]  ·cos a + g[2j+1]·sin b
 *     gx[2j+1] = g[2j+1]·cos b − g[2j]  ·sin a          (a = θ_{2j mod d/2}, b = θ_{(2j+1) mod d/2})
 *
 * Two ops share one kernel: {@link rope3d} on a `[B, H, N, headDim]` tensor, and {@link splitHeads}, which takes q,
 * k or v straight out of the fused qkv projection `[B, N, 3D]` into `[B, H, N, headDim]`, rotating on the way. The
 * latter replaces a permute, a slice and a RoPE pass (and in backward, the slice's zero-padding and concat) by one
 * kernel each way.
 */

import { backend, expectDType, grid1d, record, Tensor } from "@echojepa/tensor";
import type { TokenGrid } from "./config.ts";

/** Width `d` of each of the temporal, height and width parts of a head vector (the rest is not rotated). */
export function ropeAxisDim(headDim: number): number {
  return 2 * Math.floor(Math.floor(headDim / 3) / 2);
}

/** Where a head vector's elements are read from: `x[b·batch + n·token + h·head + k + offset]`. */
interface Layout {
  batch: number;
  token: number;
  head: number;
  offset: number;
}

function checkIds(op: string, ids: Tensor | null, B: number, N: number): void {
  if (ids === null) return;
  expectDType(op, ids, "i32");
  if (ids.rank !== 2 || ids.shape[0] !== B || ids.shape[1] !== N) {
    throw new RangeError(`${op}: ids [${ids.shape}] must be [B, N] = [${B}, ${N}]`);
  }
}

/**
 * Applies the reference's 3-axis RoPE to `x [B, H, N, headDim]` (queries or keys).
 *
 * `ids [B, N]` (i32) gives each token's index in the full clip's (t, h, w) raster order; `null` means tokens
 * 0…N−1 (the full clip). `grid` is the full clip's token grid: only its height and width are used, to turn an
 * index into coordinates `t = id / (h·w)`, `row = (id mod h·w) / w`, `col = id mod w`.
 */
export function rope3d(x: Tensor, ids: Tensor | null, grid: TokenGrid): Tensor {
  expectDType("rope3d", x, "f32");
  if (x.rank !== 4) throw new RangeError(`rope3d: expected x [B, H, N, headDim], got [${x.shape}]`);
  const [B, H, N, hd] = x.shape;
  checkIds("rope3d", ids, B, N);
  const contiguous: Layout = { batch: H * N * hd, token: hd, head: N * hd, offset: 0 };
  const gather = (t: Tensor, transpose: boolean) =>
    gatherHeads(t, [B, H, N, hd], contiguous, { ids, grid, rotate: true, transpose });
  return record(gather(x, false), "rope3d", [x], (g) => [gather(g, true)]);
}

/** Token positions for RoPE: indices into the full clip (null: all tokens in order) and the clip's token grid. */
export interface RopePositions {
  /** i32 `[B, N]`, or null for tokens 0…N−1. */
  ids: Tensor | null;
  /** The full clip's token grid. */
  grid: TokenGrid;
}

/**
 * Takes part `part` (0 = q, 1 = k, 2 = v) of a fused qkv projection `[B, N, 3D]` as heads `[B, H, N, D/H]`
 * (the reference's `qkv.unflatten(-1, (3, H, -1)).permute(2, 0, 3, 1, 4)[part]`), applying the 3-axis RoPE when
 * `positions` is given. One kernel forward, one backward (which writes the gradient's third of `[B, N, 3D]` and
 * zeros elsewhere).
 */
export function splitHeads(
  qkv: Tensor,
  part: number,
  numHeads: number,
  positions: RopePositions | null,
): Tensor {
  expectDType("splitHeads", qkv, "f32");
  if (qkv.rank !== 3 || qkv.shape[2] % 3 !== 0 || (qkv.shape[2] / 3) % numHeads !== 0) {
    throw new RangeError(
      `splitHeads: expected qkv [B, N, 3·D] with D divisible by ${numHeads} heads, got [${qkv.shape}]`,
    );
  }
  if (![0, 1, 2].includes(part)) {
    throw new RangeError(`splitHeads: part must be 0 (q), 1 (k) or 2 (v), got ${part}`);
  }
  const [B, N, W] = qkv.shape;
  const D = W / 3;
  const hd = D / numHeads;
  const ids = positions?.ids ?? null;
  checkIds("splitHeads", ids, B, N);
  const grid = positions?.grid ?? { t: 1, h: 1, w: 1 };
  const rotate = positions !== null;
  const layout: Layout = { batch: N * W, token: W, head: hd, offset: part * D };
  const out = gatherHeads(qkv, [B, numHeads, N, hd], layout, { ids, grid, rotate, transpose: false });
  return record(out, "splitHeads", [qkv], (g) => [scatterHeads(g, W, part * D, { ids, grid, rotate })]);
}

interface RopeArgs {
  ids: Tensor | null;
  grid: TokenGrid;
  rotate: boolean;
  transpose?: boolean;
}

function ropeParams(hd: number, { ids, grid, rotate }: RopeArgs): number[] {
  return [rotate ? ropeAxisDim(hd) : 0, grid.h * grid.w, grid.w, ids ? 1 : 0];
}

/** Reads head vectors through `layout` into a contiguous `[B, H, N, hd]`, rotated (or transposed-rotated). */
function gatherHeads(x: Tensor, shape: number[], layout: Layout, args: RopeArgs): Tensor {
  const [B, H, N, hd] = shape;
  const out = Tensor.empty(shape);
  const total = B * H * N * hd;
  const xBuf = x.buffer("rope");
  backend().dispatch(
    "rope_gather",
    GATHER_WGSL,
    // Without ids the kernel never reads binding 2; any buffer will do.
    [xBuf, args.ids ? args.ids.buffer("rope") : xBuf],
    [out.buffer()],
    [
      total,
      H,
      N,
      hd,
      ...ropeParams(hd, args),
      args.transpose ? 1 : 0,
      layout.batch,
      layout.token,
      layout.head,
      layout.offset,
    ],
    grid1d(total),
  );
  return out;
}

/** The gradient of {@link splitHeads}: `g [B, H, N, hd]` back into its columns of `[B, N, width]`, zeros elsewhere. */
function scatterHeads(g: Tensor, width: number, offset: number, args: RopeArgs): Tensor {
  const [B, H, N, hd] = g.shape;
  const out = Tensor.empty([B, N, width]);
  const total = B * N * width;
  const gBuf = g.buffer("splitHeads backward");
  backend().dispatch(
    "rope_scatter",
    SCATTER_WGSL,
    [gBuf, args.ids ? args.ids.buffer("splitHeads backward") : gBuf],
    [out.buffer()],
    [total, H, N, hd, ...ropeParams(hd, args), width, offset],
    grid1d(total),
  );
  return out;
}

/** WGSL shared by both kernels: the token coordinate along a RoPE axis, and one rotated element. */
const ROPE_FNS = /* wgsl */ `
// Coordinate of token id along axis 0 (time), 1 (row) or 2 (column) of a grid with per_frame = h·w, per_row = w.
fn coord(id: u32, axis: u32, per_frame: u32, per_row: u32) -> f32 {
  let within = id % per_frame;
  if (axis == 1u) { return f32(within / per_row); }
  if (axis == 2u) { return f32(within % per_row); }
  return f32(id / per_frame);
}

// Angle of element m of a d-wide part at coordinate pos: the tiled frequency θ_{m mod d/2} (see rope.ts).
fn angle(pos: f32, m: u32, half: u32) -> f32 {
  return pos / pow(10000.0, f32(m % half) / f32(half));
}

// Element m (within its d-wide part) of the rotation of (self = x[m], partner = x[m ^ 1]), or of its transpose.
//   forward:   x[m]·cos θ_m + s·x[partner]·sin θ_m            s = −1 for even m, +1 for odd m
//   transpose: g[m]·cos θ_m − s·g[partner]·sin θ_partner
fn rotated(self_v: f32, partner_v: f32, pos: f32, m: u32, half: u32, transpose: bool) -> f32 {
  let even = (m & 1u) == 0u;
  let sign = select(1.0, -1.0, even);
  let a = angle(pos, m, half);
  if (!transpose) { return self_v * cos(a) + sign * partner_v * sin(a); }
  let mp = select(m - 1u, m + 1u, even);
  return self_v * cos(a) - sign * partner_v * sin(angle(pos, mp, half));
}
`;

const GATHER_WGSL = /* wgsl */ `
struct Params {
  total: u32, heads: u32, tokens: u32, head_dim: u32,
  d: u32, per_frame: u32, per_row: u32, has_ids: u32, transpose: u32,
  s_batch: u32, s_token: u32, s_head: u32, offset: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${ROPE_FNS}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * 256u;          // out index ((b·H + h)·N + n)·hd + k
  if (e >= p.total) { return; }
  let k = e % p.head_dim;
  let row = e / p.head_dim;
  let n = row % p.tokens;
  let h = (row / p.tokens) % p.heads;
  let b = row / (p.tokens * p.heads);
  let base = b * p.s_batch + n * p.s_token + h * p.s_head + p.offset;
  let axis = select(3u, k / max(p.d, 1u), p.d > 0u);
  if (axis >= 3u) { out[e] = x[base + k]; return; }
  var id = n;
  if (p.has_ids == 1u) { id = u32(ids[b * p.tokens + n]); }
  let m = k % p.d;
  let partner = select(k - 1u, k + 1u, (m & 1u) == 0u);
  let pos = coord(id, axis, p.per_frame, p.per_row);
  out[e] = rotated(x[base + k], x[base + partner], pos, m, p.d / 2u, p.transpose == 1u);
}
`;

const SCATTER_WGSL = /* wgsl */ `
struct Params {
  total: u32, heads: u32, tokens: u32, head_dim: u32,
  d: u32, per_frame: u32, per_row: u32, has_ids: u32,
  width: u32, offset: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${ROPE_FNS}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * 256u;          // out index (b·N + n)·width + c
  if (e >= p.total) { return; }
  let c = e % p.width;
  let bn = e / p.width;
  let dim = p.heads * p.head_dim;
  if (c < p.offset || c >= p.offset + dim) { out[e] = 0.0; return; }
  let n = bn % p.tokens;
  let b = bn / p.tokens;
  let h = (c - p.offset) / p.head_dim;
  let k = (c - p.offset) % p.head_dim;
  let base = ((b * p.heads + h) * p.tokens + n) * p.head_dim;
  let axis = select(3u, k / max(p.d, 1u), p.d > 0u);
  if (axis >= 3u) { out[e] = g[base + k]; return; }
  var id = n;
  if (p.has_ids == 1u) { id = u32(ids[b * p.tokens + n]); }
  let m = k % p.d;
  let partner = select(k - 1u, k + 1u, (m & 1u) == 0u);
  let pos = coord(id, axis, p.per_frame, p.per_row);
  out[e] = rotated(g[base + k], g[base + partner], pos, m, p.d / 2u, true);
}
`;
