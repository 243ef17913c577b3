/**
 * Attention maps of a trained view probe on a few held-out clips (one per view in {@link ATTENTION_VIEWS}), for the
 * report: where the probe's query looks, over time and space.
 */

import { type AttentiveProbe, type FeatureSet, tokenBatch } from "@echojepa/probe";
import { noGrad, tidy } from "@echojepa/tensor";
import { VIEW_NAMES, type ViewName } from "@echojepa/phantom";
import type { DemoClip } from "./data.ts";
import type { DemoPreset } from "./presets.ts";
import type { AttentionMaps } from "./results.ts";

/** Views whose first test clip is shown: the four standard windows (apical, parasternal ×2, subcostal). */
export const ATTENTION_VIEWS: readonly ViewName[] = ["A4C", "PLAX", "PSAX-MV", "Subcostal"];

/** Indices of the first test clip of each of {@link ATTENTION_VIEWS} that the split has. */
export function attentionClips(test: DemoClip[]): number[] {
  return ATTENTION_VIEWS.flatMap((v) => {
    const i = test.findIndex((c) => c.view === v);
    return i < 0 ? [] : [i];
  });
}

/** Runs the probe's attention over the given test clips' cached tokens. */
export async function attentionMaps(
  p: DemoPreset,
  probe: AttentiveProbe,
  test: DemoClip[],
  features: FeatureSet,
  indices: number[],
): Promise<AttentionMaps> {
  const side = p.size / p.encoder.patchSize;
  const grid: [number, number, number] = [p.frames / p.encoder.tubeletSize, side, side];
  const x = () => tokenBatch(features, indices);
  probe.eval();
  const [maps, logits] = noGrad(() => tidy(() => [probe.attentionMap(x()), probe.forward(x())]));
  const [w, l] = await Promise.all([maps.toArray(), logits.toArray()]);
  maps.dispose();
  logits.dispose();
  const n = features.tokens;
  const classes = l.length / indices.length;
  return {
    grid,
    clips: indices.map((i, k) => {
      const c = test[i];
      const row = Array.from(l.subarray(k * classes, (k + 1) * classes));
      return {
        id: c.id,
        view: c.view,
        predicted: VIEW_NAMES[row.indexOf(Math.max(...row))],
        frames: Array.from(c.clip.data as ArrayLike<number>),
        t: c.clip.shape[0],
        h: c.clip.shape[1],
        w: c.clip.shape[2],
        weights: Array.from(w.subarray(k * n, (k + 1) * n)),
      };
    }),
  };
}
