/**
 * Multi-head self-attention of the encoder blocks (the reference's `RoPEAttention`, or plain `Attention` for
 * sin-cos models): fused qkv projection, 3-axis RoPE on q and k, scaled-dot-product attention, output projection.
 */

import { attention, Linear, Module, nextInitSeed, permute, reshape, type Tensor } from "@echojepa/tensor";
import type { TokenGrid } from "./config.ts";
import { InitSeeds } from "./init.ts";
import { splitHeads } from "./rope.ts";

/** Where the tokens of a forward pass sit in the full clip. */
export interface TokenPositions {
  /** The full clip's token grid. */
  grid: TokenGrid;
  /** i32 `[B, N]` index of each token in the full clip's raster order; null when all tokens are present in order. */
  ids: Tensor | null;
}

/** Options of {@link Attention}. */
export interface AttentionOptions {
  /** Bias on the qkv projection (default true). */
  qkvBias?: boolean;
  /** Rotate q and k with 3-axis RoPE (default true); false for sin-cos models. */
  useRope?: boolean;
  /** Seeds of the weight initialisation. */
  seeds?: InitSeeds;
}

/** Options of {@link Attention.forward} and `Block.forward`. */
export interface AttentionForwardOptions {
  /** `[B, N]` (f32/i32/u32): non-zero tokens are attended, zero tokens (padding) are ignored as keys. */
  keyPaddingMask?: Tensor | null;
}

/** Self-attention over `[B, N, D]` tokens. Parameter names: `qkv.{weight,bias}`, `proj.{weight,bias}`. */
export class Attention extends Module {
  /** Fused projection `[3D, D]`: rows 0…D−1 are Q, D…2D−1 K, 2D…3D−1 V; heads are contiguous inside each. */
  qkv: Linear;
  /** Output projection `[D, D]`. */
  proj: Linear;
  readonly _numHeads: number;
  readonly _useRope: boolean;

  constructor(dim: number, numHeads: number, options: AttentionOptions = {}) {
    super();
    const { qkvBias = true, useRope = true, seeds = new InitSeeds(nextInitSeed()) } = options;
    this._numHeads = numHeads;
    this._useRope = useRope;
    this.qkv = new Linear(dim, 3 * dim, { bias: qkvBias, seed: seeds.next() });
    this.proj = new Linear(dim, dim, { seed: seeds.next() });
  }

  /**
   * Attends among the tokens `x [B, N, D]`. `positions` places them in the clip for RoPE (null is allowed for a
   * block without RoPE). `keyPaddingMask [B, N]` (non-zero = attend) hides padded tokens from every query, as the
   * probes' self-attention blocks need for missing views.
   */
  forward(x: Tensor, positions: TokenPositions | null, options: AttentionForwardOptions = {}): Tensor {
    const [B, N, D] = x.shape;
    const H = this._numHeads;
    const qkv = this.qkv.forward(x);
    if (this._useRope && !positions) {
      throw new Error("Attention.forward: this block uses RoPE and needs token positions");
    }
    // q, k, v straight out of [B, N, 3D] into [B, H, N, hd]; RoPE on q and k on the way.
    const rope = this._useRope ? positions : null;
    const q = splitHeads(qkv, 0, H, rope);
    const k = splitHeads(qkv, 1, H, rope);
    const v = splitHeads(qkv, 2, H, null);
    const mask = options.keyPaddingMask;
    const o = attention(q, k, v, mask ? { keyPaddingMask: mask } : {});
    const merged = reshape(permute(o, [0, 2, 1, 3]), [B, N, D]);
    return this.proj.forward(merged);
  }
}
