/** One pre-norm transformer block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))` (the reference's `Block`). */

import { add, LayerNorm, Module, nextInitSeed, type Tensor } from "@echojepa/tensor";
import { Attention, type AttentionForwardOptions, type TokenPositions } from "./attention.ts";
import type { VitConfig } from "./config.ts";
import { InitSeeds } from "./init.ts";
import { Mlp } from "./mlp.ts";

/** A transformer block. Parameter names: `norm1.*`, `attn.*`, `norm2.*`, `mlp.*`. */
export class Block extends Module {
  /** LayerNorm before attention. */
  norm1: LayerNorm;
  /** Self-attention. */
  attn: Attention;
  /** LayerNorm before the MLP. */
  norm2: LayerNorm;
  /** The MLP. */
  mlp: Mlp;

  constructor(config: VitConfig, seeds: InitSeeds = new InitSeeds(nextInitSeed())) {
    super();
    const D = config.embedDim;
    this.norm1 = new LayerNorm(D, { eps: config.layerNormEps });
    this.attn = new Attention(D, config.numHeads, {
      qkvBias: config.qkvBias,
      useRope: config.positionEncoding === "rope",
      seeds,
    });
    this.norm2 = new LayerNorm(D, { eps: config.layerNormEps });
    this.mlp = new Mlp(D, config.mlpHidden, seeds);
  }

  /**
   * `[B, N, D]` → `[B, N, D]`. `positions` is needed by RoPE blocks (null otherwise); `keyPaddingMask [B, N]`
   * (non-zero = attend) hides padded tokens from attention.
   */
  forward(x: Tensor, positions: TokenPositions | null, options: AttentionForwardOptions = {}): Tensor {
    const h = add(x, this.attn.forward(this.norm1.forward(x), positions, options));
    return add(h, this.mlp.forward(this.norm2.forward(h)));
  }
}
