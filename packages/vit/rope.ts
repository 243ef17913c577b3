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
 * Two ops share one backend kernel (`rotaryGather` of `@echojepa/tensor`): {@link rope3d} on a
 * `[B, H, N, headDim]` tensor, and {@link splitHeads}, which takes q, k or v straight out of the fused qkv
 * projection `[B, N, 3D]` into `[B, H, N, headDim]`, rotating on the way. The latter replaces a permute, a slice
 * and a RoPE pass (and in backward, the slice's zero-padding and concat) by one kernel each way.
 */

import {
  expectDType,
  record,
  rotaryGather,
  type RotaryPositions,
  rotaryScatter,
  type Tensor,
} from "@echojepa/tensor";
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
  const pos = rotary(hd, ids, grid, true);
  const gather = (t: Tensor, transpose: boolean) =>
    rotaryGather(t, [B, H, N, hd], contiguous, pos, transpose);
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
  const pos = rotary(hd, ids, grid, positions !== null);
  const layout: Layout = { batch: N * W, token: W, head: hd, offset: part * D };
  const out = rotaryGather(qkv, [B, numHeads, N, hd], layout, pos, false);
  return record(out, "splitHeads", [qkv], (g) => [rotaryScatter(g, W, part * D, pos)]);
}

function rotary(hd: number, ids: Tensor | null, grid: TokenGrid, rotate: boolean): RotaryPositions {
  return { ids, axisDim: rotate ? ropeAxisDim(hd) : 0, perFrame: grid.h * grid.w, perRow: grid.w };
}
