/**
 * @module
 * @echojepa/phantom — physics-based synthetic echocardiography with exact labels.
 */
export { parseViewName, VIEW_NAMES, viewIndex } from "./views.ts";
export type { ViewName } from "./views.ts";
export { generateClip, renderClip } from "./clip.ts";
export type { Clip, ClipOptions } from "./clip.ts";
export type { ClipLabels, StudyLabels } from "./labels.ts";
export { samplePatient } from "./patient.ts";
export type { EfDistribution, Patient, PatientOptions } from "./patient.ts";
export type { Acquisition, NuisanceLevel } from "./acquisition.ts";
export { generateStudy, studyClipSeed, studyLabels, studyPatient } from "./study.ts";
export type { Study, StudyOptions } from "./study.ts";
export { assignSplits, generateDatasetSync, planDataset, renderClipSpec, SPLITS } from "./dataset.ts";
export type { ClipSpec, DatasetOptions, Split, SplitDataset } from "./dataset.ts";
export { generateDataset, PhantomWorkerPool } from "./worker_pool.ts";
export { writeDataset } from "./write_dataset.ts";
export type { WriteDatasetOptions, WriteDatasetSummary } from "./write_dataset.ts";
export { linearR2, rawPixelFeature, rawPixelViewBaseline, rvspViewFeatures } from "./baselines.ts";
export type { ViewBaselineOptions, ViewBaselineResult } from "./baselines.ts";
export { cineStatistics, montagePng } from "./realism.ts";
export type { CineStatistics } from "./realism.ts";
export { homogeneousEnvelope, snr } from "./homogeneous.ts";
