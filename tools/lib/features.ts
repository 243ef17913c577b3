/**
 * Encoding samples with a frozen encoder, a few at a time (decoded clips never pile up in memory), optionally cached
 * on disk; and applying a probe to encoded features.
 *
 * @module
 */

import {
  cachedFeatures,
  concatFeatureSets,
  extractFeatures,
  type FeatureSet,
  standardiseFeatures,
  timePoolTokens,
  timeStatsPoolTokens,
  tokenBatch,
} from "@echojepa/probe";
import { type Module, noGrad, type Tensor, tidy } from "@echojepa/tensor";
import type { VisionTransformer } from "@echojepa/vit";
import { CliError, progressBar } from "./cli.ts";
import { segmentInputs } from "@echojepa/augment";
import type { FeatureStandardization, SavedTimePooling } from "./probe_spec.ts";
import type { ClipSettings, Sample } from "./samples.ts";

/** A sample that could not be decoded, and why. */
export interface SkippedSample {
  /** Sample id (file path). */
  id: string;
  /** Reason. */
  reason: string;
}

/** Features of the samples that decoded, in order. */
export interface EncodedSamples {
  /** One feature row per kept sample. */
  features: FeatureSet;
  /** Indices (into the given samples) of the kept samples, aligned with the feature rows. */
  kept: number[];
  /** Samples that failed to decode (left out). */
  skipped: SkippedSample[];
}

/** Options of {@link encodeSamples}. */
export interface EncodeOptions {
  /** "tokens" for attentive probes, "mean" (one vector per segment) for linear/MLP probes. */
  pooling: "tokens" | "mean";
  /** Samples decoded and encoded per step (default 8). */
  batchSize?: number;
  /** Progress bar label (default "encode"). */
  label?: string;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

/**
 * Encodes model inputs as every tool does: `segments` consecutive `[3, frames, res, res]` arrays per clip (from
 * `segmentInputs`), through the frozen encoder, segment tokens concatenated per clip.
 */
export function encodeInputs(
  encoder: VisionTransformer,
  inputs: Float32Array[],
  settings: ClipSettings,
  pooling: "tokens" | "mean",
  batchSize = 8,
): Promise<FeatureSet> {
  const clipShape: [number, number, number, number] = [
    3,
    settings.frames,
    settings.resolution,
    settings.resolution,
  ];
  return extractFeatures(encoder, inputs, clipShape, { pooling, segments: settings.segments, batchSize });
}

/** Decodes and encodes every sample; samples that fail to decode are skipped and reported. */
export async function encodeSamples(
  encoder: VisionTransformer,
  samples: readonly Sample[],
  settings: ClipSettings,
  options: EncodeOptions,
): Promise<EncodedSamples> {
  const batchSize = options.batchSize ?? 8;
  const bar = progressBar(options.label ?? "encode", options.progress ?? true);
  const chunks: FeatureSet[] = [];
  const kept: number[] = [];
  const skipped: SkippedSample[] = [];
  for (let start = 0; start < samples.length; start += batchSize) {
    // Loads of a chunk run concurrently (file reads overlap; the phantom renders on its worker threads).
    const indices = Array.from({ length: Math.min(batchSize, samples.length - start) }, (_, k) => start + k);
    const loaded = await Promise.allSettled(indices.map((i) => samples[i].load()));
    const inputs: Float32Array[] = [];
    loaded.forEach((result, k) => {
      const i = indices[k];
      try {
        if (result.status === "rejected") throw result.reason;
        inputs.push(...segmentInputs(result.value, settings));
        kept.push(i);
      } catch (e) {
        skipped.push({ id: samples[i].id, reason: (e as Error).message });
      }
    });
    if (inputs.length > 0) {
      chunks.push(await encodeInputs(encoder, inputs, settings, options.pooling, batchSize));
    }
    bar.update(
      Math.min(start + batchSize, samples.length),
      samples.length,
      skipped.length ? `${skipped.length} skipped` : "",
    );
  }
  bar.finish();
  if (kept.length === 0) {
    throw new CliError(
      `none of the ${samples.length} samples could be decoded; first failure: ${skipped[0]?.id}: ${
        skipped[0]?.reason
      }`,
    );
  }
  return { features: concatFeatureSets(chunks), kept, skipped };
}

/**
 * {@link encodeSamples} with a disk cache at `path` (`.f32` + `.json` from the probe package, plus `.samples.json`
 * for which samples were kept), valid while `key` is unchanged.
 */
export async function cachedEncodeSamples(
  path: string,
  key: string,
  encode: () => Promise<EncodedSamples>,
): Promise<EncodedSamples & { fromCache: boolean }> {
  const metaPath = `${path}.samples.json`;
  let computed: EncodedSamples | null = null;
  const compute = async (): Promise<FeatureSet> => (computed = await encode()).features;
  let features = await cachedFeatures(path, key, compute);
  if (computed) {
    const { kept, skipped } = computed as EncodedSamples;
    await Deno.writeTextFile(metaPath, JSON.stringify({ key, kept, skipped }));
    return { ...(computed as EncodedSamples), fromCache: false };
  }
  try {
    const meta = JSON.parse(await Deno.readTextFile(metaPath));
    if (meta.key === key && meta.kept.length === features.count) {
      return { features, kept: meta.kept, skipped: meta.skipped, fromCache: true };
    }
  } catch {
    // Fall through: the side file is missing or stale, so recompute everything.
  }
  await Deno.remove(`${path}.json`).catch(() => {});
  features = await cachedFeatures(path, key, compute);
  const { kept, skipped } = computed! as EncodedSamples;
  await Deno.writeTextFile(metaPath, JSON.stringify({ key, kept, skipped }));
  return { features, kept, skipped, fromCache: false };
}

/** A SHA-256 hex digest of a JSON-serialisable description (the cache key of a feature set). */
export async function digestOf(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What identifies a file's content for caching: path, size and modification time. */
export async function fileStamp(path: string): Promise<{ path: string; size: number; mtime: number | null }> {
  const s = await Deno.stat(path);
  return { path, size: s.size, mtime: s.mtime?.getTime() ?? null };
}

/** A probe as the tools apply it: tokens `[B, N, D]` → `[B, outputs]`. */
export interface ForwardProbe extends Module {
  /** The probe's forward pass. */
  forward(x: Tensor, keyPaddingMask?: Tensor | null): Tensor;
}

/**
 * The features a saved probe reads: standardised with its training statistics when it has them, then pooled over
 * time when it was trained so (`timePooling`).
 */
export function probeFeatures(
  set: FeatureSet,
  standardization: FeatureStandardization | null | undefined,
  timePooling?: SavedTimePooling | null,
): FeatureSet {
  let out = set;
  if (standardization) {
    if (standardization.mean.length !== set.dim) {
      throw new CliError(
        `the probe was trained on ${standardization.mean.length}-channel features; the encoder gives ${set.dim}`,
      );
    }
    out = standardiseFeatures(set, {
      mean: Float32Array.from(standardization.mean),
      std: Float32Array.from(standardization.std),
    });
  }
  if (!timePooling) return out;
  if (out.tokens !== timePooling.timeSlots * timePooling.places) {
    throw new CliError(
      `the probe pools ${timePooling.timeSlots} time slots × ${timePooling.places} places; the encoder gives ${out.tokens} tokens`,
    );
  }
  return timePooling.kind === "meanStd"
    ? timeStatsPoolTokens(out, timePooling.timeSlots)
    : timePoolTokens(out, timePooling.timeSlots);
}

/**
 * Applies a probe (in evaluation mode) to feature rows, standardising them first when the probe was trained on
 * standardised features; returns `[n, outputs]` row-major.
 */
export async function applyProbe(
  probe: ForwardProbe,
  raw: FeatureSet,
  { batchSize = 16, standardization = null, timePooling = null }: {
    batchSize?: number;
    standardization?: FeatureStandardization | null;
    timePooling?: SavedTimePooling | null;
  } = {},
): Promise<Float32Array> {
  const set = probeFeatures(raw, standardization, timePooling);
  probe.eval();
  const reads: Promise<Float32Array>[] = [];
  for (let s = 0; s < set.count; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.count - s) }, (_, i) => s + i);
    const out = noGrad(() => tidy(() => probe.forward(tokenBatch(set, idx), null)));
    reads.push(out.toArray().finally(() => out.dispose()) as Promise<Float32Array>);
  }
  const parts = await Promise.all(reads);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
