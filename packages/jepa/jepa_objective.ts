/**
 * The V-JEPA objective (spec §4): predict, from the visible context, the target encoder's layer-normalised features
 * at the masked positions, with an L1 loss averaged over the mask sets.
 *
 * 1. Target: the EMA target encoder on the full clip, without a tape, then a LayerNorm without affine parameters
 *    (eps 1e-5) on top of the encoder's own final norm.
 * 2. Context: for each mask set j, the online encoder on the context tokens only, then the predictor.
 * 3. Loss: `mean |p_j − h[target_j]|`, averaged over j (`loss_exp = 1`).
 *
 * @module
 */

import {
  add,
  detach,
  gather,
  l1Loss,
  layerNorm,
  mean,
  mul,
  noGrad,
  sqrt,
  type Tensor,
  tensor,
  variance,
} from "@echojepa/tensor";
import type { TokenGrid, VisionTransformer } from "@echojepa/vit";
import type { MaskSet } from "./mask_collator.ts";
import type { Predictor } from "./predictor.ts";

/** What one JEPA step computes. */
export interface JepaLossResult {
  /** The scalar loss (with a tape to the encoder and predictor). */
  loss: Tensor;
  /** Per-mask-set losses (scalars, no tape), in generator order. */
  setLosses: Tensor[];
  /**
   * Collapse monitor: the std of the clip-averaged target features across the batch, averaged over channels
   * (scalar, no tape). A collapsed encoder maps every clip to the same features and drives this to 0.
   */
  targetStd: Tensor;
}

/** The target features: target encoder on the full clip, then parameter-free LayerNorm. No tape. */
export function targetFeatures(targetEncoder: VisionTransformer, clips: Tensor): Tensor {
  return noGrad(() => {
    const h = targetEncoder.forward(clips);
    const normed = layerNorm(h, null, null, 1e-5);
    h.dispose();
    return normed;
  });
}

/** Std across the batch of the token-averaged features `h [B, N, D]`, averaged over D (scalar). No tape. */
export function batchFeatureStd(h: Tensor): Tensor {
  return noGrad(() => mean(sqrt(variance(mean(h, 1), 0)), 0));
}

/**
 * The JEPA loss for one batch. `clips [B, C, T, H, W]`; `maskSets` from {@link MultiBlockMaskCollator.sample};
 * `grid` the clips' token grid.
 */
export function jepaLoss(
  encoder: VisionTransformer,
  targetEncoder: VisionTransformer,
  predictor: Predictor,
  clips: Tensor,
  maskSets: readonly MaskSet[],
  grid: TokenGrid,
): JepaLossResult {
  if (maskSets.length === 0) throw new RangeError("jepaLoss: no mask sets");
  const h = targetFeatures(targetEncoder, clips);
  const targetStd = batchFeatureStd(h);
  const setLosses: Tensor[] = [];
  let total: Tensor | null = null;
  for (const m of maskSets) {
    const contextIds = tensor(m.context, [m.batchSize, m.contextLength], "i32");
    const targetIds = tensor(m.target, [m.batchSize, m.targetLength], "i32");
    const z = encoder.forward(clips, { keep: contextIds });
    const prediction = predictor.forward(z, m, grid);
    const target = noGrad(() => gather(h, targetIds));
    const l = l1Loss(prediction, target);
    setLosses.push(detach(l));
    total = total === null ? l : add(total, l);
  }
  const loss = mul(total!, 1 / maskSets.length);
  return { loss, setLosses, targetStd };
}
