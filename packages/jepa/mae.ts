/**
 * The pixel-MAE baseline (VideoMAE, spec §5.5), on the same encoder as JEPA: tube masking (the same random 90% of
 * patch positions hidden in every tubelet of a clip), the encoder on the visible tokens, a small decoder that puts a
 * mask token at every hidden position, and an MSE loss on the per-patch-normalised pixels of the hidden tubelets.
 *
 * The decoder is the {@link Predictor} architecture with its output width set to one tubelet's pixel count
 * (3·2·16·16 = 1536 for the reference), so positions follow the encoder's scheme: RoPE under a RoPE encoder, and
 * VideoMAE's fixed sin-cos decoder table (`predictor_pos_embed`) under a sin-cos encoder; depth and width are
 * configurable (reference depth 4).
 *
 * @module
 */

import { Random } from "@echojepa/core";
import {
  add,
  gather,
  mean,
  mseLoss,
  mul,
  noGrad,
  reshape,
  rsqrt,
  sub,
  type Tensor,
  tensor,
  variance,
} from "@echojepa/tensor";
import { patchify, type TokenGrid, type VisionTransformer, type VitConfig } from "@echojepa/vit";
import type { MaskSet } from "./mask_collator.ts";
import type { Predictor } from "./predictor.ts";

/**
 * Tube masks for a batch: per sample, `int(ratio · H·W)` patch positions are hidden in every tubelet (VideoMAE's
 * `TubeMaskingGenerator`). Returned as a {@link MaskSet}: context = visible tokens, target = hidden tokens, both
 * ascending, the same count for every sample. Deterministic in `(seed, step)`.
 */
export function tubeMasks(
  grid: TokenGrid,
  ratio: number,
  batchSize: number,
  seed: number,
  step: number,
): MaskSet {
  const plane = grid.h * grid.w;
  const hidden = Math.floor(ratio * plane);
  if (hidden < 1 || hidden >= plane) {
    throw new RangeError(
      `tubeMasks: ratio ${ratio} hides ${hidden} of ${plane} patches per frame; need 1…${plane - 1}`,
    );
  }
  const rng = Random.from(seed, "tube", step);
  const nv = (plane - hidden) * grid.t;
  const nm = hidden * grid.t;
  const context = new Int32Array(batchSize * nv);
  const target = new Int32Array(batchSize * nm);
  for (let b = 0; b < batchSize; b++) {
    // Fisher–Yates: the first `hidden` positions of a random permutation are masked.
    const perm = Array.from({ length: plane }, (_, i) => i);
    for (let i = plane - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const masked = new Uint8Array(plane);
    for (let i = 0; i < hidden; i++) masked[perm[i]] = 1;
    let c = b * nv;
    let m = b * nm;
    for (let t = 0; t < grid.t; t++) {
      for (let p = 0; p < plane; p++) {
        if (masked[p]) target[m++] = t * plane + p;
        else context[c++] = t * plane + p;
      }
    }
  }
  return {
    context,
    target,
    contextLength: nv,
    targetLength: nm,
    batchSize,
    block: { t: grid.t, h: 1, w: 1 },
    resampled: 0,
  };
}

/**
 * Pixel targets of the hidden tubelets: `[B, Nt, C·tubelet·patch·patch]`, each tubelet normalised per channel by
 * its own mean and std (VideoMAE's `norm_pix_loss`; population variance, eps 1e-6). No tape.
 */
export function maePixelTargets(
  clips: Tensor,
  config: VitConfig,
  targetIds: Tensor,
  normalize = true,
): Tensor {
  return noGrad(() => {
    const { patches } = patchify(clips, config);
    const picked = gather(patches, targetIds);
    if (!normalize) return picked;
    const [B, Nt, V] = picked.shape;
    const C = config.inChannels;
    const perChannel = reshape(picked, [B, Nt, C, V / C]);
    const centred = sub(perChannel, mean(perChannel, -1, true));
    const scaled = mul(centred, rsqrt(add(variance(perChannel, -1, true), 1e-6)));
    return reshape(scaled, [B, Nt, V]);
  });
}

/** What one MAE step computes. */
export interface MaeLossResult {
  /** The scalar loss (with a tape to the encoder and decoder). */
  loss: Tensor;
}

/** The MAE loss for one batch of clips `[B, C, T, H, W]` under `masks` (from {@link tubeMasks}). */
export function maeLoss(
  encoder: VisionTransformer,
  decoder: Predictor,
  clips: Tensor,
  masks: MaskSet,
  grid: TokenGrid,
  normalizeTargets = true,
): MaeLossResult {
  const visible = tensor(masks.context, [masks.batchSize, masks.contextLength], "i32");
  const hidden = tensor(masks.target, [masks.batchSize, masks.targetLength], "i32");
  const z = encoder.forward(clips, { keep: visible });
  const prediction = decoder.forward(z, masks, grid);
  const target = maePixelTargets(clips, encoder.config, hidden, normalizeTargets);
  return { loss: mseLoss(prediction, target) };
}
