/**
 * Rotary position kernels as tensor functions: read head vectors through a layout into `[B, H, N, hd]`, rotating
 * them with the 3-axis RoPE of V-JEPA 2 (tiled frequencies; see the backends' `RopeParams`), and the gradient
 * scatter of a qkv split. They record no tape: `@echojepa/vit`'s `rope3d` and `splitHeads` compose them with
 * their gradients.
 */

import type { HeadLayout } from "../backends/backend.ts";
import { backend } from "../backends/registry.ts";
import { expectDType, Tensor } from "../tensor.ts";

/** Rotation parameters: per-token position ids (i32 `[B, N]`, or null for 0…N−1) and the token grid's strides. */
export interface RotaryPositions {
  /** Position ids i32 `[B, N]`, or null for tokens 0…N−1. */
  ids: Tensor | null;
  /** Width of each of the temporal, height and width parts of a head vector (0: no rotation). */
  axisDim: number;
  /** Tokens per frame (grid height × width). */
  perFrame: number;
  /** Tokens per grid row (grid width). */
  perRow: number;
}

export type { HeadLayout };

function ropeArgs(op: string, r: RotaryPositions) {
  if (r.ids) expectDType(op, r.ids, "i32");
  return { ids: r.ids ? r.ids.handle(op) : null, axisDim: r.axisDim, perFrame: r.perFrame, perRow: r.perRow };
}

/**
 * Reads the head vectors of `x` through `layout` into a new contiguous `[B, H, N, hd]` (`shape`), rotated, or
 * transposed-rotated (the backward) when `transpose`. No tape.
 */
export function rotaryGather(
  x: Tensor,
  shape: [number, number, number, number],
  layout: HeadLayout,
  positions: RotaryPositions,
  transpose: boolean,
): Tensor {
  const op = "rotaryGather";
  expectDType(op, x, "f32");
  const [batch, heads, tokens, headDim] = shape;
  const out = Tensor.empty(shape);
  if (out.size > 0) {
    backend().ropeGather({
      x: x.handle(op),
      out: out.handle(),
      rope: ropeArgs(op, positions),
      layout,
      batch,
      heads,
      tokens,
      headDim,
      transpose,
    });
  }
  return out;
}

/**
 * The gradient of a qkv split: `g [B, H, N, hd]`, transposed-rotated, into columns `offset …` of a new
 * `[B, N, width]`, zeros elsewhere. No tape.
 */
export function rotaryScatter(g: Tensor, width: number, offset: number, positions: RotaryPositions): Tensor {
  const op = "rotaryScatter";
  expectDType(op, g, "f32");
  const [batch, heads, tokens, headDim] = g.shape;
  const out = Tensor.empty([batch, tokens, width]);
  if (out.size > 0) {
    backend().ropeScatter({
      g: g.handle(op),
      out: out.handle(),
      rope: ropeArgs(op, positions),
      batch,
      heads,
      tokens,
      headDim,
      width,
      offset,
    });
  }
  return out;
}
