/**
 * The models of a pretraining run, built from its config: the encoder (`@echojepa/vit`), for JEPA its EMA target
 * (a copy that receives no gradients), and the predictor (JEPA) or the pixel decoder (MAE).
 *
 * @module
 */

import { VisionTransformer, type VitConfig, vitConfig } from "@echojepa/vit";
import type { PretrainConfig } from "./config.ts";
import { Predictor } from "./predictor.ts";

/** The encoder architecture a pretraining config describes. */
export function encoderConfig(c: PretrainConfig): VitConfig {
  const e = c.encoder;
  return vitConfig({ ...e, numFrames: c.data.frames, imageSize: c.data.cropSize });
}

/** The models of a run, freshly initialised from the config's seed. */
export interface PretrainModels {
  /** Online encoder. */
  encoder: VisionTransformer;
  /** EMA target encoder (JEPA only). */
  targetEncoder: VisionTransformer | null;
  /** Predictor (JEPA) or decoder (MAE). */
  head: Predictor;
}

/** Builds the encoder, target encoder (a copy, no gradients) and predictor or decoder of a config. */
export function buildModels(c: PretrainConfig): PretrainModels {
  const vc = encoderConfig(c);
  const encoder = new VisionTransformer(vc, { seed: c.seed });
  let targetEncoder: VisionTransformer | null = null;
  if (c.objective === "jepa") {
    targetEncoder = new VisionTransformer(vc, { seed: c.seed });
    targetEncoder.loadStateDict(encoder.stateDict());
    for (const t of targetEncoder.parameters()) t.requiresGrad = false;
  }
  const patchPixels = vc.inChannels * vc.tubeletSize * vc.patchSize * vc.patchSize;
  // The predictor and the MAE decoder use the encoder's position scheme, as the reference's `init_video_model` does.
  const positions = { positionEncoding: vc.positionEncoding, uniformPower: vc.uniformPower };
  const head = c.objective === "jepa"
    ? new Predictor({ inputDim: vc.embedDim, ...c.predictor, ...positions, seed: c.seed + 1 })
    : new Predictor({
      inputDim: vc.embedDim,
      embedDim: c.mae.decoderEmbedDim,
      depth: c.mae.decoderDepth,
      numHeads: c.mae.decoderNumHeads,
      outputDim: patchPixels,
      numMaskTokens: 1,
      ...positions,
      seed: c.seed + 1,
    });
  return { encoder, targetEncoder, head };
}
