/**
 * @module
 * @echojepa/phantom — physics-based synthetic echocardiography with exact labels: the project's embedded default
 * data set.
 *
 * A COLE-style convolution simulator: sub-resolution scatterers attached to a beating heart (speckle stays
 * coherent with tissue motion, blood speckle decorrelates), a separable axial × lateral PSF on a polar grid,
 * envelope detection, depth attenuation with TGC, electronic noise, log compression and scan conversion. The LV is
 * a half prolate spheroid whose contraction law makes the ejection fraction exact. 13 view classes (the
 * reference's view-probe taxonomy, {@linkcode VIEW_NAMES}), each its own anatomy and motion; per-clip nuisance
 * variation (depth, sector, gain, dynamic range, frequency, noise, 20–90 fps, pose, on-screen UI).
 *
 * Everything is deterministic: the same seed gives the same bytes on any thread.
 *
 * @example
 * ```ts
 * import { generateClip, generateDataset, generateStudy, VIEW_NAMES } from "@echojepa/phantom";
 *
 * // One clip: frames is @echojepa/core's Clip, uint8 [T, H, W] grey levels; labels are exact.
 * const clip = generateClip(42, { view: "A4C", frames: 16, height: 112, width: 112 });
 * console.log(clip.frames.shape, clip.fps.toFixed(1), clip.labels.ef.toFixed(1), clip.labels.view);
 *
 * // One patient in several views (study-level RVSP-like target and paediatric flag in every clip's labels).
 * const study = generateStudy(7, { views: ["A4C", "Subcostal"], frames: 8 });
 * console.log(study.labels.rvsp.toFixed(1), study.clips.map((c) => c.labels.view));
 *
 * // A split data set, patients disjoint across train/val/test, rendered on worker threads.
 * const ds = await generateDataset({ patients: 5, views: VIEW_NAMES, frames: 4, workers: 2 });
 * console.log(ds.train.length, ds.val.length, ds.test.length);
 * ```
 */
export { parseViewName, VIEW_NAMES, viewIndex } from "./views.ts";
export type { ViewName } from "./views.ts";
export { generateClip, renderClip } from "./clip.ts";
export type { ClipOptions, RenderedClip } from "./clip.ts";
export type { ClipLabels, StudyLabels } from "./labels.ts";
export { samplePatient } from "./patient.ts";
export type { EfDistribution, Patient, PatientOptions } from "./patient.ts";
export type { Acquisition, NuisanceLevel } from "./acquisition.ts";
export { NUISANCE_LEVELS } from "./acquisition.ts";
export { generateStudy, studyClipSeed, studyLabels, studyPatient } from "./study.ts";
export type { Study, StudyOptions } from "./study.ts";
export { assignSplits, generateDatasetSync, planDataset, renderClipSpec, SPLITS } from "./dataset.ts";
export type { ClipSpec, DatasetOptions, Split, SplitDataset } from "./dataset.ts";
export { generateDataset, PhantomWorkerPool } from "./worker_pool.ts";
export { streamDataset } from "./dataset_stream.ts";
export type { StreamedClip, StreamOptions } from "./dataset_stream.ts";
export { writeDataset } from "./write_dataset.ts";
export type { WriteDatasetOptions, WriteDatasetSummary } from "./write_dataset.ts";
export {
  efPixelOracle,
  linearR2,
  rawPixelFeature,
  rawPixelViewBaseline,
  rvspViewFeatures,
} from "./baselines.ts";
export type {
  EfOracleOptions,
  EfOracleResult,
  ViewBaselineOptions,
  ViewBaselineResult,
} from "./baselines.ts";
export { cineStatistics, montagePng } from "./realism.ts";
export type { CineStatistics } from "./realism.ts";
export { homogeneousEnvelope, snr } from "./homogeneous.ts";
export { realismReport } from "./realism_report.ts";
export type { RealismReport, RealismReportOptions } from "./realism_report.ts";
