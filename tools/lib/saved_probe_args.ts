/**
 * The command line shared by the tools that apply a saved probe to a manifest (`eval`, `robustness`): which probe,
 * which videos, where the output goes, and how clips are encoded. `--probe` is a folder from `deno task probe`, or
 * a reference probe file (`.pt` or safetensors, see reference_probe.ts), which then needs `--encoder` (and
 * `--config` for an encoder file without one) and takes the reference-probe flags below.
 *
 * @module
 */

import { CliError, numberFlag, required } from "./cli.ts";
import type { TargetScaler } from "@echojepa/probe";
import { REFERENCE_LVEF_CLIPS } from "./reference_probe.ts";
import type { ClipSettings } from "./samples.ts";

/** Help text of the reference-probe flags (each tool appends it to its own). */
export const REFERENCE_PROBE_HELP =
  `Reference probe files (--probe FILE.pt, e.g. echojepa-l-k-lvef.pt; needs --encoder):
  --config C            encoder architecture when its file has none (large, giant, VitConfig JSON, HF config.json)
  --key NAME            encoder module of a training checkpoint (default target_encoder, else encoder)
  --probe-head I        head of the probe's grid (default: best recorded best_val_acc_per_head, else 0)
  --probe-heads H       the probe's attention heads (default 16)
  --target-mean X, --target-std Y   regression: the z-scoring of the training targets (predictions are
                        de-normalised with them; without them outputs are z-scores)
  --frames N, --frame-step K, --segments S, --resolution R   clips (default 16, 2, 2, 224: the reference's LVEF
                        evaluation)
  --no-sector           do not mask/crop the ultrasound sector (files already cropped)
`;

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
  config: { type: "string" },
  key: { type: "string" },
  "probe-head": { type: "string" },
  "probe-heads": { type: "string" },
  "target-mean": { type: "string" },
  "target-std": { type: "string" },
  frames: { type: "string" },
  "frame-step": { type: "string" },
  segments: { type: "string" },
  resolution: { type: "string" },
  "no-sector": { type: "boolean", default: false },
} as const;

/** What a reference probe file needs beside itself. */
export interface ReferenceProbeArgs {
  config?: string;
  key?: string;
  head?: number;
  attentionHeads?: number;
  scaler: TargetScaler | null;
  clips: ClipSettings;
}

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
  /** Settings for a reference probe file (`.pt`); absent: the reference LVEF evaluation settings. */
  reference?: ReferenceProbeArgs;
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
  config?: string;
  key?: string;
  "probe-head"?: string;
  "probe-heads"?: string;
  "target-mean"?: string;
  "target-std"?: string;
  frames?: string;
  "frame-step"?: string;
  segments?: string;
  resolution?: string;
  "no-sector"?: boolean;
}): SavedProbeArgs {
  const mean = numberFlag("target-mean", values["target-mean"]);
  const std = numberFlag("target-std", values["target-std"], { min: 0 });
  if ((mean === undefined) !== (std === undefined)) {
    throw new CliError("--target-mean and --target-std go together");
  }
  const int = (flag: string, v: string | undefined) => numberFlag(flag, v, { integer: true, min: 1 });
  return {
    probe: required("probe", values.probe),
    manifest: required("manifest", values.manifest),
    out: required("out", values.out),
    split: values.split,
    labelColumn: values["label-column"],
    encoder: values.encoder,
    batch: numberFlag("batch", values.batch, { integer: true, min: 1 })!,
    progress: !values["no-progress"],
    reference: {
      config: values.config,
      key: values.key,
      head: numberFlag("probe-head", values["probe-head"], { integer: true, min: 0 }),
      attentionHeads: int("probe-heads", values["probe-heads"]),
      scaler: mean === undefined ? null : { mean, std: std! },
      clips: {
        ...REFERENCE_LVEF_CLIPS,
        frames: int("frames", values.frames) ?? REFERENCE_LVEF_CLIPS.frames,
        frameStep: int("frame-step", values["frame-step"]) ?? REFERENCE_LVEF_CLIPS.frameStep,
        segments: int("segments", values.segments) ?? REFERENCE_LVEF_CLIPS.segments,
        resolution: int("resolution", values.resolution) ?? REFERENCE_LVEF_CLIPS.resolution,
        sector: !values["no-sector"],
      },
    },
  };
}
