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
 */

import { backend, expectDType, grid1d, record, Tensor } from "@echojepa/tensor";
import type { TokenGrid } from "./config.ts";

/** Width `d` of each of the temporal, height and width parts of a head vector (the rest is not rotated). */
export function ropeAxisDim(headDim: number): number {
  return 2 * Math.floor(Math.floor(headDim / 3) / 2);
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
  const [B, , N] = x.shape;
  if (ids !== null) {
    expectDType("rope3d", ids, "i32");
    if (ids.rank !== 2 || ids.shape[0] !== B || ids.shape[1] !== N) {
      throw new RangeError(`rope3d: ids [${ids.shape}] must be [B, N] = [${B}, ${N}] for x [${x.shape}]`);
    }
  }
  const out = applyRope(x, ids, grid, false);
  return record(out, "rope3d", [x], (g) => [applyRope(g, ids, grid, true)]);
}

/** Dispatches the rotation (or its transpose, for the gradient). Records nothing. */
function applyRope(x: Tensor, ids: Tensor | null, grid: TokenGrid, transpose: boolean): Tensor {
  const [B, H, N, headDim] = x.shape;
  const out = Tensor.empty(x.shape);
  const total = B * H * N * headDim;
  const b = backend();
  const xBuf = x.buffer("rope3d");
  b.dispatch(
    "rope3d",
    ROPE_WGSL,
    // Without ids the kernel never reads binding 2; any buffer will do.
    [xBuf, ids ? ids.buffer("rope3d") : xBuf],
    [out.buffer()],
    [
      total,
      H,
      N,
      headDim,
      ropeAxisDim(headDim),
      grid.h * grid.w,
      grid.w,
      ids ? 1 : 0,
      transpose ? 1 : 0,
    ],
    grid1d(total),
  );
  return out;
}

const ROPE_WGSL = /* wgsl */ `
struct Params {
  total: u32, heads: u32, tokens: u32, head_dim: u32,
  d: u32, per_frame: u32, per_row: u32, has_ids: u32, transpose: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Angle of element m of a d-wide part at coordinate pos: the tiled frequency θ_{m mod d/2} (see rope.ts).
fn angle(pos: f32, m: u32, half: u32) -> f32 {
  let i = f32(m % half);
  return pos / pow(10000.0, i / f32(half));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * 256u;
  if (e >= p.total) { return; }
  let k = e % p.head_dim;
  let axis = select(3u, k / p.d, p.d > 0u);
  if (axis >= 3u) { out[e] = x[e]; return; }
  let row = e / p.head_dim;              // (b·H + h)·N + n
  let n = row % p.tokens;
  let b = row / (p.tokens * p.heads);
  var id = n;
  if (p.has_ids == 1u) { id = u32(ids[b * p.tokens + n]); }
  let within = id % p.per_frame;
  var coord = id / p.per_frame;                       // temporal
  if (axis == 1u) { coord = within / p.per_row; }     // height
  if (axis == 2u) { coord = within % p.per_row; }     // width
  let pos = f32(coord);
  let m = k % p.d;
  let half = p.d / 2u;
  let even = (m & 1u) == 0u;
  let partner = select(e - 1u, e + 1u, even);
  // Forward: out[m] = x[m]·cos θ_m + s·x[partner]·sin θ_m with s = −1 for even m, +1 for odd m.
  // Transpose: out[m] = g[m]·cos θ_m − s·g[partner]·sin θ_partner.
  let sign = select(1.0, -1.0, even);
  let mp = select(m - 1u, m + 1u, even);
  if (p.transpose == 0u) {
    let a = angle(pos, m, half);
    out[e] = x[e] * cos(a) + sign * x[partner] * sin(a);
  } else {
    out[e] = x[e] * cos(angle(pos, m, half)) - sign * x[partner] * sin(angle(pos, mp, half));
  }
}
`;
