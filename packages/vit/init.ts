/**
 * Initialisation as the reference's `VisionTransformer.__init__` (training from scratch): every Linear and Conv
 * weight from a truncated normal (std 0.02, cut at ±2 absolute), every bias 0, LayerNorm weight 1 and bias 0, then
 * `_rescale_blocks`: block i's (1-based) `attn.proj.weight` and `mlp.fc2.weight` divided by sqrt(2·i).
 *
 * The layers draw the first part themselves (`Linear` and the Conv3d weights use that truncated normal), each from
 * its own seed given by {@link InitSeeds}, so a model's weights depend only on its seed. The rescale runs here, on
 * the GPU.
 */

import { assign, mul, noGrad, type Tensor } from "@echojepa/tensor";

/** Hands out one seed per weight tensor, derived from a model seed, in construction order. */
export class InitSeeds {
  #base: number;
  #next = 0;
  constructor(seed: number) {
    this.#base = Math.imul(seed >>> 0, 0x9e3779b1) >>> 0;
  }
  /** The seed of the next weight. */
  next(): number {
    return (this.#base + 0x632be5ab * ++this.#next) >>> 0;
  }
}

/** The reference's `_rescale_blocks` on the given blocks' `attn.proj.weight` and `mlp.fc2.weight`, in place. */
export function rescaleBlocks(
  blocks: { attn: { proj: { weight: Tensor } }; mlp: { fc2: { weight: Tensor } } }[],
): void {
  noGrad(() => {
    blocks.forEach((block, i) => {
      for (const w of [block.attn.proj.weight, block.mlp.fc2.weight]) {
        const scaled = mul(w, 1 / Math.sqrt(2 * (i + 1)));
        assign(w, scaled);
        scaled.dispose();
      }
    });
  });
}
