/**
 * The learning curve of a pretraining run: the encoder the probes read (JEPA's EMA target, MAE's encoder) at the
 * initialisation and at each kept checkpoint, probed cheaply (the linear probe and kNN of the fair protocol, at
 * 5-shot and all labels) for view classification. A run that ends no better than its init still shows whether it
 * ever was better on the way, and whether it was getting better or worse when it stopped.
 */

import { type FrozenProbeKind, standardisedInputs } from "@echojepa/probe";
import { readCheckpointState, readCheckpointTensors } from "@echojepa/jepa";
import type { LabelBudget } from "@echojepa/probe";
import { VisionTransformer } from "@echojepa/vit";
import { encodeSamples } from "../lib/features.ts";
import { demoEncoderConfig } from "./backbones.ts";
import type { DemoData } from "./data.ts";
import { clipSamples, demoClipSettings } from "./features.ts";
import type { DemoPreset } from "./presets.ts";
import { viewExperiments } from "./tasks.ts";

/** The budgets and probes of a curve point: cheap enough to repeat at every checkpoint. */
export const CURVE_BUDGETS: LabelBudget[] = [{ kind: "shot", k: 5 }, { kind: "fraction", fraction: 1 }];
/** The probes of a curve point (the attentive probe's lr sweep would cost as much as the whole run's probes). */
export const CURVE_PROBES: readonly FrozenProbeKind[] = ["linear", "knn"];

/** One point of a learning curve: view accuracy (%) by budget name and probe, mean over the label draws. */
export interface CurvePoint {
  /** Pretraining steps done (0: the initialisation). */
  step: number;
  accuracy: Record<string, Partial<Record<FrozenProbeKind, number>>>;
}

/** The checkpoint stems a run kept for its curve (`e0002`, …), in step order, with their step. */
export async function keptCheckpoints(checkpointDir: string): Promise<{ jsonPath: string; step: number }[]> {
  const found: { jsonPath: string; step: number }[] = [];
  for await (const entry of Deno.readDir(checkpointDir)) {
    if (!/^e\d+\.json$/.test(entry.name)) continue;
    const { state, jsonPath } = await readCheckpointState(`${checkpointDir}/${entry.name}`);
    found.push({ jsonPath, step: state.step });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** The probed encoder of a kept checkpoint: JEPA's `target_encoder`, MAE's `encoder`. */
export async function checkpointEncoder(
  p: DemoPreset,
  jsonPath: string,
  objective: "jepa" | "mae",
): Promise<VisionTransformer> {
  const { state } = await readCheckpointState(jsonPath);
  const tensors = await readCheckpointTensors(jsonPath, state);
  const prefix = objective === "jepa" ? "target_encoder." : "encoder.";
  const encoder = new VisionTransformer(demoEncoderConfig(p));
  try {
    encoder.loadStateDict(
      new Map(
        [...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]),
      ),
    );
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return encoder;
}

/**
 * One curve point: encodes the training split and the scored split, standardises with training statistics and
 * runs {@link CURVE_PROBES} at {@link CURVE_BUDGETS}. `split` "test" is what the report shows; "val" scores (and
 * selects the probes' learning rate) on the validation split, for choosing a pretraining regime without looking
 * at the test patients.
 */
export async function curvePoint(
  p: DemoPreset,
  data: DemoData,
  encoder: VisionTransformer,
  step: number,
  drawSeed: number,
  split: "val" | "test" = "test",
): Promise<CurvePoint> {
  const settings = demoClipSettings(p);
  const encode = async (name: "train" | "val" | "test") => {
    const samples = clipSamples(name, data[name].map((c) => c.clip));
    return (await encodeSamples(encoder, samples, settings, { pooling: "tokens", progress: false })).features;
  };
  const train = await encode("train");
  const scored = split === "test" ? await encode("test") : null;
  const val = await encode("val");
  const { inputs } = standardisedInputs(
    train,
    { train, val, test: scored ?? val },
    p.frames / p.encoder.tubeletSize,
  );
  const curveData: DemoData = split === "test" ? data : { ...data, test: data.val };
  const preset = { ...p, protocol: { ...p.protocol, budgets: CURVE_BUDGETS } };
  const out = await viewExperiments(preset, curveData, inputs, drawSeed, undefined, undefined, CURVE_PROBES);
  const accuracy: CurvePoint["accuracy"] = {};
  for (const [budget, scores] of Object.entries(out.probes)) {
    accuracy[budget] = Object.fromEntries(
      Object.entries(scores).map(([kind, score]) => [kind, score!.accuracy.mean]),
    );
  }
  return { step, accuracy };
}

/**
 * The learning curve of one objective's run in `pretrainDir`: `init` (the pretraining runs' initialisation) at step
 * 0, then every kept checkpoint. `onPoint` sees each point as it is measured.
 */
export async function learningCurve(
  p: DemoPreset,
  data: DemoData,
  objective: "jepa" | "mae",
  pretrainDir: string,
  init: VisionTransformer,
  drawSeed: number,
  { split = "test", onPoint }: { split?: "val" | "test"; onPoint?: (point: CurvePoint) => void } = {},
): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [await curvePoint(p, data, init, 0, drawSeed, split)];
  onPoint?.(points[0]);
  for (const { jsonPath, step } of await keptCheckpoints(`${pretrainDir}/checkpoints`)) {
    const encoder = await checkpointEncoder(p, jsonPath, objective);
    try {
      points.push(await curvePoint(p, data, encoder, step, drawSeed, split));
    } finally {
      encoder.dispose();
    }
    onPoint?.(points[points.length - 1]);
  }
  return points;
}
