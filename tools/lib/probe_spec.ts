/**
 * What a saved probe is (probe.json's content) and how to build its head: free of file access, so the browser page
 * reads probe files with the same definitions as `deno task eval`.
 *
 * @module
 */

import {
  AttentiveProbe,
  type ChannelStats,
  LinearProbe,
  type ProbeTask,
  type TargetScaler,
  type TimePooling,
} from "@echojepa/probe";
import type { ClipSettings } from "@echojepa/video";
import type { VitConfig } from "@echojepa/vit";
import { CliError } from "./cli.ts";
import type { ForwardProbe } from "./features.ts";

/** Format marker of probe.json. */
export const PROBE_FORMAT = "echojepa-ts-probe/1";

/** Probe architectures the tools train. */
export type ProbeKind = "attentive" | "linear" | "mlp";

/** The probe's architecture. */
export interface ProbeArchitecture {
  /** Attentive (reference), linear (mean-pool → LayerNorm → Linear) or MLP. */
  kind: ProbeKind;
  /** Feature width D. */
  dim: number;
  /** Classes, or 1 for regression. */
  outputs: number;
  /** Attentive only: blocks (depth − 1 self-attention + 1 cross-attention). */
  depth: number;
  /** Attentive only: attention heads. */
  heads: number;
}

/** Everything probe.json records. */
export interface ProbeSpec {
  /** Format marker. */
  format: typeof PROBE_FORMAT;
  /** Classification (with its class count) or regression. */
  task: ProbeTask;
  /** Class names in index order, when known (phantom views). */
  classNames: string[] | null;
  /** Architecture of the saved head. */
  probe: ProbeArchitecture;
  /** Features the probe reads: encoder tokens, or one mean vector per segment. */
  pooling: "tokens" | "mean";
  /** Regression: μ, σ of the training targets (predictions are de-normalised with them). */
  scaler: TargetScaler | null;
  /**
   * Per-channel statistics of the training features the probe was trained on (the fair protocol standardises
   * every feature channel with them before the probe); null or absent: the probe reads raw features (reference
   * `.pt` probes, files written before the protocol).
   */
  standardization?: FeatureStandardization | null;
  /**
   * A linear probe on tokens pooled over time after standardisation (the demo's EF probe): how (`"mean"` or
   * `"meanStd"`, as `@echojepa/probe`'s `TimePooling`) and over how many time slots of how many grid places; the
   * probe's input is then `(meanStd ? 2 : 1) · places · dim` wide. Null or absent: the probe reads the features
   * as they are.
   */
  timePooling?: SavedTimePooling | null;
  /** The frozen encoder. */
  encoder: { path: string; key: string | null; config: VitConfig };
  /** How clips are cut and transformed. */
  clips: ClipSettings;
  /** How the probe was trained and which grid point won. */
  training: Record<string, unknown>;
  /** ISO time of writing. */
  createdAt: string;
}

/** How a saved probe's tokens are pooled over time (see {@link ProbeSpec.timePooling}). */
export interface SavedTimePooling {
  kind: TimePooling;
  timeSlots: number;
  places: number;
}

/** The input width of a probe of `dim`-channel features under a time pooling. */
export function pooledWidth(dim: number, timePooling: SavedTimePooling | null | undefined): number {
  if (!timePooling) return dim;
  return (timePooling.kind === "meanStd" ? 2 : 1) * timePooling.places * dim;
}

/** Per-channel mean and standard deviation of training features, as probe.json stores them. */
export interface FeatureStandardization {
  /** Mean of each channel. */
  mean: number[];
  /** `sqrt(variance + eps)` of each channel. */
  std: number[];
}

/** The JSON form of fitted channel statistics. */
export function standardizationOf(stats: ChannelStats): FeatureStandardization {
  return { mean: Array.from(stats.mean), std: Array.from(stats.std) };
}

/** Builds an untrained probe of the given architecture (a linear probe on time-pooled tokens reads their width). */
export function buildProbe(
  arch: ProbeArchitecture,
  regression: boolean,
  timePooling?: SavedTimePooling | null,
): ForwardProbe {
  const kind = regression ? "regressor" : "classifier";
  if (arch.kind === "attentive") {
    if (arch.dim % arch.heads !== 0) {
      throw new CliError(
        `--heads ${arch.heads}: the encoder's width ${arch.dim} does not divide into ${arch.heads} heads`,
      );
    }
    return new AttentiveProbe({
      dim: arch.dim,
      outputs: arch.outputs,
      kind,
      depth: arch.depth,
      numHeads: arch.heads,
    });
  }
  return new LinearProbe({
    dim: pooledWidth(arch.dim, timePooling),
    outputs: arch.outputs,
    kind,
    mlp: arch.kind === "mlp",
  });
}
