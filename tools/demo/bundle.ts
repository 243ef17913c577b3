/**
 * What the demo's model bundle records about its heads and clips: the demo's attentive probes on tokens, and the
 * clip settings of the demo (its frame count, clip rate and size), with sector masking for real echo files.
 */

import type { ChannelStats, TargetScaler } from "@echojepa/probe";
import { VIEW_NAMES } from "@echojepa/phantom";
import type { ClipSettings } from "@echojepa/video";
import type { HeadSpec } from "../lib/model_bundle.ts";
import { standardizationOf } from "../lib/probe_spec.ts";
import type { DemoPreset } from "./presets.ts";

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

/** The demo's EF probe (outputs in EF percent after de-normalisation with `scaler`; standardised inputs). */
export function efHeadSpec(p: DemoPreset, dim: number, scaler: TargetScaler, stats: ChannelStats): HeadSpec {
  return {
    task: { type: "regression" },
    classNames: null,
    probe: { kind: "attentive", dim, outputs: 1, depth: p.probe.depth, heads: p.probe.numHeads },
    pooling: "tokens",
    scaler,
    standardization: standardizationOf(stats),
  };
}
