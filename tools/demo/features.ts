/**
 * Frozen features of the demo's clips for one backbone, through the probe tools' own encoder and feature cache
 * (`tools/lib/features.ts`, cached under `<run>/features/`): the view cohort's three splits, the EF task's three
 * splits, the paediatric clips, and the EF test clips under each reference perturbation. The raw-pixel control gives its tubelets as tokens, so it goes through the same probes.
 */

import { evalTransform } from "@echojepa/augment";
import type { Clip } from "@echojepa/core";
import { perturbClip, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import { cachedFeatures, type FeatureSet } from "@echojepa/probe";
import type { ClipSettings } from "@echojepa/video";
import type { VisionTransformer } from "@echojepa/vit";
import { cachedEncodeSamples, digestOf, encodeSamples } from "../lib/features.ts";
import type { Sample } from "../lib/samples.ts";
import type { DemoData } from "./data.ts";
import type { DemoPreset } from "./presets.ts";
import type { RunSeeds } from "./seeds.ts";
import type { BackboneFeatures } from "./tasks.ts";

/** How the demo cuts its (already rendered, single-window) phantom clips for the encoder. */
export function demoClipSettings(p: DemoPreset): ClipSettings {
  return { frames: p.frames, fps: null, frameStep: 1, segments: 1, resolution: p.size, sector: false };
}

/** The EF test clips under one reference condition (deterministic in the clip id and the run's seed). */
export function perturbedEfTest(data: DemoData, condition: string, seed: number): Clip[] {
  return data.ef.test.map((c) => perturbClip(c.clip, condition, { clipId: c.id, seed }));
}

/**
 * The raw-pixel control's tokens of one clip: the model input's grey channel (after the same evaluation
 * transform) cut into the encoder's tubelets, in the encoder's token order (time, rows, columns), one
 * `tubelet·patch·patch` vector per token.
 */
export function pixelTokens(clip: Clip, p: DemoPreset): Float32Array {
  const x = evalTransform(clip, { cropSize: p.size }).data; // [3, T, S, S]; the three channels are equal
  const { tubeletSize: ts, patchSize: ps } = p.encoder;
  const S = p.size;
  const [nt, ns] = [p.frames / ts, S / ps];
  const dim = ts * ps * ps;
  const out = new Float32Array(nt * ns * ns * dim);
  let o = 0;
  for (let a = 0; a < nt; a++) {
    for (let r = 0; r < ns; r++) {
      for (let c = 0; c < ns; c++) {
        for (let dt = 0; dt < ts; dt++) {
          for (let dy = 0; dy < ps; dy++) {
            const row = ((a * ts + dt) * S + r * ps + dy) * S + c * ps;
            for (let dx = 0; dx < ps; dx++) out[o++] = x[row + dx];
          }
        }
      }
    }
  }
  return out;
}

/** Already rendered clips as the probe tools' samples (loading hands the clip over), ids `<set>-<index>`. */
export function clipSamples(set: string, clips: Clip[]): Sample[] {
  return clips.map((clip, i) => ({
    id: `${set}-${i}`,
    study: set,
    load: () => Promise.resolve(clip as Clip<Uint8Array>),
  }));
}

/** The pixel control's feature set of some clips. */
function pixelFeatures(clips: Clip[], p: DemoPreset): FeatureSet {
  const { tubeletSize: ts, patchSize: ps } = p.encoder;
  const tokens = (p.frames / ts) * (p.size / ps) ** 2;
  const dim = ts * ps * ps;
  const data = new Float32Array(clips.length * tokens * dim);
  clips.forEach((c, i) => data.set(pixelTokens(c, p), i * tokens * dim));
  return { count: clips.length, tokens, dim, data };
}

/**
 * All features of one backbone (an encoder, or `"pixels"` for the raw-pixel control), computed once and cached
 * (the run's seed changes the clips, so it is part of the cache key).
 */
export async function backboneFeatures(
  p: DemoPreset,
  seeds: Pick<RunSeeds, "run" | "perturb">,
  data: DemoData,
  encoder: VisionTransformer | "pixels",
  name: string,
  runDir: string,
  progress: boolean,
): Promise<BackboneFeatures> {
  const sets: [string, Clip[]][] = [
    ["train", data.train.map((c) => c.clip)],
    ["val", data.val.map((c) => c.clip)],
    ["test", data.test.map((c) => c.clip)],
    ["ef-train", data.ef.train.map((c) => c.clip)],
    ["ef-val", data.ef.val.map((c) => c.clip)],
    ["ef-test", data.ef.test.map((c) => c.clip)],
    ["pediatric", data.pediatric.map((c) => c.clip)],
    ...REFERENCE_CONDITION_IDS.map((
      id,
    ): [string, Clip[]] => [id, perturbedEfTest(data, id, seeds.perturb)]),
  ];
  const settings = demoClipSettings(p);
  const out = new Map<string, FeatureSet>();
  await Deno.mkdir(`${runDir}/features`, { recursive: true });
  for (const [set, clips] of sets) {
    const key = await digestOf({
      preset: p.name,
      seed: seeds.run,
      speckle: p.speckle,
      nuisance: p.nuisance,
      backbone: name,
      set,
      count: clips.length,
      settings,
    });
    const path = `${runDir}/features/${name}-${set}`;
    if (encoder === "pixels") {
      out.set(set, await cachedFeatures(path, key, () => Promise.resolve(pixelFeatures(clips, p))));
      continue;
    }
    const samples = clipSamples(set, clips);
    const encoded = await cachedEncodeSamples(
      path,
      key,
      () =>
        encodeSamples(encoder, samples, settings, { pooling: "tokens", label: `${name} ${set}`, progress }),
    );
    out.set(set, encoded.features);
  }
  return {
    train: out.get("train")!,
    val: out.get("val")!,
    test: out.get("test")!,
    ef: { train: out.get("ef-train")!, val: out.get("ef-val")!, test: out.get("ef-test")! },
    pediatric: out.get("pediatric")!,
    perturbed: Object.fromEntries(REFERENCE_CONDITION_IDS.map((id) => [id, out.get(id)!])),
  };
}
