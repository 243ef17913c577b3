/**
 * @module
 * @echojepa/phantom — physics-based synthetic echocardiography with exact labels.
 */
export { VIEW_NAMES } from "./views.ts";
export type { ViewName } from "./views.ts";
export { generateClip, renderClip } from "./clip.ts";
export type { Clip, ClipOptions } from "./clip.ts";
export { samplePatient } from "./patient.ts";
export { generateStudy } from "./study.ts";
export { generateDatasetSync, planDataset, renderClipSpec } from "./dataset.ts";
export { generateDataset, PhantomWorkerPool } from "./worker_pool.ts";
