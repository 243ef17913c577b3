/**
 * One video through a loaded model: cut the evaluation clip, encode it, apply every head and decode the outputs,
 * with the view probe's attention over the tokens. The browser page predicts with this; it composes the same
 * functions as `deno task eval` (`readClipSegments`, `segmentInputs`, `extractFeatures`, `applyProbe`,
 * `decodeOutputs`).
 *
 * @module
 */

import { segmentInputs } from "@echojepa/augment";
import { AttentiveProbe, extractFeatures, type FeatureSet, tokenBatch } from "@echojepa/probe";
import { noGrad, tidy } from "@echojepa/tensor";
import { readClipSegments, type SegmentClip, type Video } from "@echojepa/video";
import { applyProbe, probeFeatures } from "./features.ts";
import type { HeadName, LoadedModel } from "./model_bundle.ts";
import { decodeOutputs } from "./outputs.ts";

/** What one head says about the clip. */
export interface HeadPrediction {
  /** Class index, or the value in the target's units. */
  prediction: number;
  /** Classification: softmax probabilities; null for regression. */
  probabilities: number[] | null;
  /** Class names in index order, when the head knows them. */
  classNames: string[] | null;
  /** Attentive heads: the query's attention over the clip's tokens (segments · T' · H' · W'); else null. */
  attention: number[] | null;
}

/** A prediction of every head, and what it was made from. */
export interface ClipPrediction {
  /** The grey clip the encoder saw (before the evaluation transform). */
  clip: SegmentClip;
  /** The model inputs, one `[3, frames, res, res]` array per segment. */
  inputs: Float32Array[];
  /** Token grid of one segment: `[T / tubelet, res / patch, res / patch]`. */
  grid: [number, number, number];
  /** Per head. */
  heads: Partial<Record<HeadName, HeadPrediction>>;
  /** Milliseconds spent decoding + preprocessing, encoding, and in the heads. */
  timings: { preprocessMs: number; encodeMs: number; headsMs: number };
}

/** Options of {@link predictClip}. */
export interface PredictOptions {
  /** Called after each encoded segment with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Cuts, encodes and predicts one video with every head of `model`. */
export async function predictClip(
  model: LoadedModel,
  video: Video,
  options: PredictOptions = {},
): Promise<ClipPrediction> {
  const s = model.spec.clips;
  const t0 = performance.now();
  const clip = await readClipSegments(video, s);
  const inputs = segmentInputs(clip.clip, s);
  const t1 = performance.now();
  const c = model.encoder.config;
  const grid: [number, number, number] = [
    s.frames / c.tubeletSize,
    s.resolution / c.patchSize,
    s.resolution / c.patchSize,
  ];
  const features = new Map<"tokens" | "mean", FeatureSet>();
  for (const head of Object.values(model.heads)) {
    const pooling = head!.spec.pooling;
    if (features.has(pooling)) continue;
    features.set(
      pooling,
      await extractFeatures(model.encoder, inputs, [3, s.frames, s.resolution, s.resolution], {
        pooling,
        segments: s.segments,
        batchSize: 1,
        onProgress: (done) => options.onProgress?.(done, inputs.length),
      }),
    );
  }
  const t2 = performance.now();
  const heads: ClipPrediction["heads"] = {};
  for (const [name, head] of Object.entries(model.heads) as [HeadName, LoadedModel["heads"]["view"]][]) {
    const set = probeFeatures(
      features.get(head!.spec.pooling)!,
      head!.spec.standardization,
      head!.spec.timePooling,
    );
    const decoded = decodeOutputs(head!.spec.task, await applyProbe(head!.probe, set), head!.spec.scaler);
    let attention: number[] | null = null;
    if (head!.probe instanceof AttentiveProbe) {
      const probe = head!.probe;
      const map = noGrad(() => tidy(() => probe.attentionMap(tokenBatch(set, [0]))));
      attention = Array.from(await map.toArray());
      map.dispose();
    }
    heads[name] = {
      prediction: decoded.predictions[0],
      probabilities: decoded.probabilities?.[0] ?? null,
      classNames: head!.spec.classNames,
      attention,
    };
  }
  const t3 = performance.now();
  return {
    clip,
    inputs,
    grid,
    heads,
    timings: { preprocessMs: t1 - t0, encodeMs: t2 - t1, headsMs: t3 - t2 },
  };
}
