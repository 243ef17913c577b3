/**
 * Frozen features of the demo's clips for one backbone, cached on disk under `<run>/features/` so a resumed run and
 * every probe reuse them: the four clip sets, and the EF test clips under each reference perturbation.
 */

import type { ClipArray } from "@echojepa/augment";
import { perturbClip, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import { cachedFeatures, extractFeatures, type FeatureSet } from "@echojepa/probe";
import type { VisionTransformer } from "@echojepa/vit";
import { type DemoData, modelInput } from "./data.ts";
import type { DemoPreset } from "./presets.ts";
import { efIndices } from "./tasks.ts";
import type { BackboneFeatures } from "./tasks.ts";

/** Encodes clips in chunks (bounded host memory), reporting progress. */
export async function encodeClips(
  encoder: VisionTransformer,
  clips: ClipArray[],
  size: number,
  onProgress?: (done: number) => void,
): Promise<FeatureSet> {
  const chunk = 64;
  const parts: FeatureSet[] = [];
  for (let s = 0; s < clips.length; s += chunk) {
    const inputs = clips.slice(s, s + chunk).map((c) => modelInput(c, size));
    const [c, t, h, w] = [3, clips[0].shape[0], size, size];
    parts.push(
      await extractFeatures(encoder, inputs, [c, t, h, w], {
        batchSize: 8,
        onProgress: (d) => onProgress?.(s + d),
      }),
    );
  }
  if (parts.length === 0) return { count: 0, tokens: 0, dim: 0, data: new Float32Array(0) };
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { count: clips.length, tokens: parts[0].tokens, dim: parts[0].dim, data };
}

/** The EF test clips under one reference condition (deterministic in the clip id). */
export function perturbedEfTest(data: DemoData, condition: string): ClipArray[] {
  return efIndices(data.test).map((i) => {
    const c = data.test[i];
    return perturbClip(c.clip, condition, { clipId: c.id, seed: 0 });
  });
}

/** All features of one backbone, computed once and cached. */
export async function backboneFeatures(
  p: DemoPreset,
  data: DemoData,
  encoder: VisionTransformer,
  name: string,
  runDir: string,
  onProgress: (done: number, total: number) => void,
): Promise<BackboneFeatures> {
  const sets: [string, ClipArray[]][] = [
    ["train", data.train.map((c) => c.clip)],
    ["val", data.val.map((c) => c.clip)],
    ["test", data.test.map((c) => c.clip)],
    ["pediatric", data.pediatric.map((c) => c.clip)],
    ...REFERENCE_CONDITION_IDS.map((id): [string, ClipArray[]] => [id, perturbedEfTest(data, id)]),
  ];
  const total = sets.reduce((n, [, c]) => n + c.length, 0);
  let before = 0;
  const out = new Map<string, FeatureSet>();
  await Deno.mkdir(`${runDir}/features`, { recursive: true });
  for (const [set, clips] of sets) {
    const key = `${p.name}|${name}|${set}|${clips.length}|${p.frames}x${p.size}`;
    const base = before;
    out.set(
      set,
      await cachedFeatures(
        `${runDir}/features/${name}-${set}`,
        key,
        () => encodeClips(encoder, clips, p.size, (d) => onProgress(base + d, total)),
      ),
    );
    before += clips.length;
    onProgress(before, total);
  }
  return {
    train: out.get("train")!,
    val: out.get("val")!,
    test: out.get("test")!,
    pediatric: out.get("pediatric")!,
    perturbed: Object.fromEntries(REFERENCE_CONDITION_IDS.map((id) => [id, out.get(id)!])),
  };
}

/** Mean-pooled features (one vector per clip), for the embedding map. */
export function pooled(set: FeatureSet): number[][] {
  return Array.from({ length: set.count }, (_, i) => {
    const v = new Array<number>(set.dim).fill(0);
    for (let t = 0; t < set.tokens; t++) {
      const off = (i * set.tokens + t) * set.dim;
      for (let d = 0; d < set.dim; d++) v[d] += set.data[off + d] / set.tokens;
    }
    return v;
  });
}
