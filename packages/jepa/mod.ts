/**
 * @module
 * @echojepa/jepa — V-JEPA pretraining for EchoJEPA-TS: the multi-block 3-D mask collator, the predictor, the JEPA
 * objective (EMA target encoder, latent L1), the pixel-MAE baseline on the same encoder, configs with presets from
 * a CPU-sized `micro` to the reference ViT-L / ViT-g recipes, and the trainer (checkpoints, exact resume, metrics,
 * NaN guard, collapse monitor).
 *
 * @example
 * ```ts
 * import { pretrain, resolveConfig } from "@echojepa/jepa";
 *
 * // A few steps of the CPU-sized preset on synthetic echo clips, without writing files.
 * const config = resolveConfig("micro", { optim: { epochs: 1, itersPerEpoch: 4 }, data: { phantomClips: 4 } });
 * const { encoder, lossHistory } = await pretrain(config, { writeFiles: false, verbose: false });
 * console.log(encoder.config.embedDim, lossHistory.map((l) => l.toFixed(3)));
 * ```
 */
export {
  type BlockSize,
  type MaskGeneratorConfig,
  type MaskGrid,
  type MaskSet,
  MultiBlockMaskCollator,
  REFERENCE_MASK_GENERATORS,
  sampleBlockSize,
  sampleKeepVolume,
  sampleMaskSet,
} from "./mask_collator.ts";
export {
  type DataConfig,
  type DataSource,
  type LrSchedule,
  type MaeConfig,
  type Objective,
  type OptimConfig,
  type PredictorConfig,
  presetNames,
  PRESETS,
  type PretrainConfig,
  type PretrainConfigOverrides,
  resolveConfig,
  type RunConfig,
  totalSteps,
  validateConfig,
} from "./config.ts";
export { type ConfigFile, loadConfigFile, parseConfigText } from "./config_file.ts";
export { hyperparametersAt, scheduleLength, type StepHyperparameters } from "./schedules.ts";
export {
  BatchLoader,
  type BatchProvider,
  buildBatch,
  type ClipSource,
  type HostBatch,
  manifestSource,
  phantomSource,
  sourceFromConfig,
  WorkerBatchLoader,
} from "./data.ts";
export {
  Predictor,
  type PredictorMasks,
  type PredictorOptions,
  type SortPlan,
  sortPlan,
} from "./predictor.ts";
export { batchFeatureStd, jepaLoss, type JepaLossResult, targetFeatures } from "./jepa_objective.ts";
export { maeLoss, type MaeLossResult, maePixelTargets, tubeMasks } from "./mae.ts";
export {
  type CheckpointParts,
  type CheckpointState,
  readCheckpointState,
  readCheckpointTensors,
  restoreCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
export {
  REFERENCE_MODULE_PREFIX,
  referenceParamGroups,
  restoreTorchPretrainCheckpoint,
  saveTorchPretrainCheckpoint,
  type TorchPretrainInfo,
  type TorchResumePoint,
} from "./torch_checkpoint.ts";
export { JsonlWriter, type StepMetrics } from "./metrics.ts";
export { buildModels, encoderConfig, type PretrainModels } from "./models.ts";
export {
  pretrain,
  PretrainDataError,
  PretrainDivergedError,
  type PretrainOptions,
  type PretrainResult,
} from "./trainer.ts";
