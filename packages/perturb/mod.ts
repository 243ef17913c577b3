/**
 * @module
 * Physics-informed perturbations of echo clips and the EchoJEPA robustness protocol, on plain clip arrays
 * (`[T, H, W]` or `[T, H, W, C]`, uint8 or float32 on 0–255).
 *
 * - The reference benchmark's two perturbations with the code's exact formulas and presets:
 *   {@link depthAttenuationMap} (exp(−γ·d), γ = 0.75 / 1.5 / 2.15) and {@link gaussianShadowMap}
 *   (1 − s·exp(−…), (s, σ) = (0.4, 0.15) / (0.6, 0.20) / (0.8, 0.25)).
 * - Fan-aware physical variants (rib shadow, tissue attenuation with TGC, gain, dynamic range, haze,
 *   reverberation, speckle, wall dropout) that follow a {@link SectorGeometry} when given and image coordinates
 *   otherwise, each with low/medium/high presets.
 * - {@link perturbClip}: apply a named condition; the result depends only on (clip id, condition, seed).
 * - {@link evaluateRobustness} and {@link averageDegradation}: the protocol and the paper's "Avg. Deg." metric.
 * - {@link conditionGridPng}: one frame under every condition as a PNG contact sheet.
 *
 * @example
 * ```ts
 * import { averageDegradation, perturbClip, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
 * import { makeClip } from "@echojepa/core";
 *
 * const clip = makeClip(new Uint8Array(8 * 112 * 112).fill(90), [8, 112, 112]);
 * for (const id of REFERENCE_CONDITION_IDS) {
 *   const perturbed = perturbClip(clip, id, { clipId: "0X100009310A3BD7FC", seed: 0 });
 *   console.log(id, perturbed.data[56 * 112 + 56]);
 * }
 * // The paper's EchoJEPA-G row: clean MAE 3.97 → +2.35 % from the rounded table entries (printed as 2.3).
 * console.log(averageDegradation(3.97, [4.01, 4.07, 4.17, 4.02, 4.04, 4.07]).toFixed(2));
 * ```
 */
export {
  DEPTH_ATTENUATION_PRESETS,
  depthAttenuationMap,
  type DepthAttenuationParams,
  GAUSSIAN_SHADOW_PRESETS,
  gaussianShadowMap,
  type GaussianShadowParams,
  sampleShadowCenter,
} from "./reference.ts";
export { applyGainMap } from "./gain_map.ts";
export { type Level, LEVELS, type Presets } from "./levels.ts";
export { type BeamCoordinates, beamCoordinates, DEFAULT_DEPTH_CM, type SectorGeometry } from "./geometry.ts";
export { dbToGrey, DEFAULT_DYNAMIC_RANGE_DB, envelopeToGrey, greyToDb, greyToEnvelope } from "./display.ts";
export { type DisplayOptions, type EnvelopeOp, mapEnvelope, resolveDisplay } from "./envelope.ts";
export {
  RIB_SHADOW_PRESETS,
  ribShadowGain,
  type RibShadowParams,
  ribShadowWeights,
} from "./physical/rib_shadow.ts";
export {
  attenuationLossDb,
  TISSUE_ATTENUATION_PRESETS,
  tissueAttenuationGain,
  type TissueAttenuationParams,
} from "./physical/tissue_attenuation.ts";
export {
  changeDynamicRange,
  DYNAMIC_RANGE_PRESETS,
  type DynamicRangeParams,
  GAIN_PRESETS,
  type GainParams,
} from "./physical/gain.ts";
export { HAZE_PRESETS, hazeEnvelope, type HazeParams } from "./physical/haze.ts";
export {
  REVERBERATION_PRESETS,
  reverberationEnvelope,
  type ReverberationParams,
} from "./physical/reverberation.ts";
export { SPECKLE_PRESETS, speckleFactors, type SpeckleParams } from "./physical/speckle.ts";
export {
  WALL_DROPOUT_PRESETS,
  type WallDropoutParams,
  wallDropoutPatches,
  wallWeight,
} from "./physical/wall_dropout.ts";
export { smoothRandomField } from "./physical/smooth_field.ts";
export {
  type ConditionInfo,
  conditionInfo,
  CONDITIONS,
  PERTURBATION_FAMILIES,
  type PerturbationFamily,
  perturbClip,
  type PerturbOptions,
  REFERENCE_CONDITION_IDS,
} from "./conditions.ts";
export {
  accuracy,
  averageDegradation,
  evaluateRobustness,
  meanAbsoluteError,
  type RobustnessItem,
  type RobustnessOptions,
  type RobustnessReport,
} from "./robustness.ts";
export { sectorFromMask } from "./sector_fit.ts";
export {
  conditionGrid,
  type ConditionGridOptions,
  conditionGridPng,
  encodeGreyPng,
  type GreyImage,
} from "./grid.ts";
export { drawText } from "./grid_font.ts";
