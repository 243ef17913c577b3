/**
 * The command line shared by the tools that apply a saved probe to a manifest (`eval`, `robustness`): which probe,
 * which videos, where the output goes, and how clips are encoded.
 *
 * @module
 */

import { numberFlag, required } from "./cli.ts";

/** `parseArgs` options of the shared flags (each tool adds its own). */
export const SAVED_PROBE_OPTIONS = {
  probe: { type: "string" },
  manifest: { type: "string" },
  out: { type: "string" },
  split: { type: "string" },
  "label-column": { type: "string" },
  encoder: { type: "string" },
  batch: { type: "string", default: "8" },
  "no-progress": { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
} as const;

/** The shared flags, parsed. */
export interface SavedProbeArgs {
  probe: string;
  manifest: string;
  out: string;
  split?: string;
  labelColumn?: string;
  encoder?: string;
  batch: number;
  progress: boolean;
}

/** Reads the shared flags from `parseArgs` values (required ones throw a `CliError` when missing). */
export function savedProbeArgs(values: {
  probe?: string;
  manifest?: string;
  out?: string;
  split?: string;
  "label-column"?: string;
  encoder?: string;
  batch?: string;
  "no-progress"?: boolean;
}): SavedProbeArgs {
  return {
    probe: required("probe", values.probe),
    manifest: required("manifest", values.manifest),
    out: required("out", values.out),
    split: values.split,
    labelColumn: values["label-column"],
    encoder: values.encoder,
    batch: numberFlag("batch", values.batch, { integer: true, min: 1 })!,
    progress: !values["no-progress"],
  };
}
