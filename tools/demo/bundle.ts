/**
 * What the demo's model bundle records about its heads and clips: the demo's view probe (attentive, on tokens) and
 * its EF probe (attentive, or linear on time-pooled tokens), and the clip settings of the demo (its frame count, clip rate and size), with sector masking for real echo files.
 */

import type { ChannelStats, TargetScaler } from "@echojepa/probe";
import { VIEW_NAMES } from "@echojepa/phantom";
import type { ClipSettings } from "@echojepa/video";
import type { HeadSpec } from "../lib/model_bundle.ts";
import { standardizationOf } from "../lib/probe_spec.ts";
import type { DemoPreset } from "./presets.ts";
import type { EfProbe } from "./results.ts";
import { EF_POOLING } from "./tasks.ts";

/** Clip settings of a demo run, for files the demo never saw: one window at the demo's rate, sector-cropped. */
export function bundleClipSettings(p: DemoPreset): ClipSettings {
  return { frames: p.frames, fps: p.fps, frameStep: 1, segments: 1, resolution: p.size, sector: true };
}

/** The demo's full-label view probe (trained on features standardised with `stats`). */
export function viewHeadSpec(p: DemoPreset, dim: number, stats: ChannelStats): HeadSpec {
  return {
    task: { type: "classification", numClasses: VIEW_NAMES.length },
    classNames: [...VIEW_NAMES],
    probe: {
      kind: "attentive",
      dim,
      outputs: VIEW_NAMES.length,
      depth: p.probe.depth,
      heads: p.probe.numHeads,
    },
    pooling: "tokens",
    scaler: null,
    standardization: standardizationOf(stats),
  };
}

/**
 * The demo's EF probe, whichever of the two the run chose (outputs in EF percent after de-normalisation with
 * `scaler`; standardised inputs; the linear one reads the tokens pooled by the demo's `EF_POOLING`).
 */
export function efHeadSpec(
  p: DemoPreset,
  kind: EfProbe,
  dim: number,
  scaler: TargetScaler,
  stats: ChannelStats,
): HeadSpec {
  const timeSlots = p.frames / p.encoder.tubeletSize;
  return {
    task: { type: "regression" },
    classNames: null,
    probe: { kind, dim, outputs: 1, depth: p.probe.depth, heads: p.probe.numHeads },
    pooling: "tokens",
    scaler,
    standardization: standardizationOf(stats),
    timePooling: kind === "linear"
      ? { kind: EF_POOLING, timeSlots, places: (p.size / p.encoder.patchSize) ** 2 }
      : null,
  };
}
