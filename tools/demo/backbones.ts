/**
 * The encoders of the controlled comparison, all the same ViT: V-JEPA pretraining (its EMA target encoder, which
 * the reference's probes read, and its online encoder), pixel-MAE pretraining with the same data, augmentation,
 * initialisation and step budget, and random initialisations as the floor (the first is the pretraining runs' own
 * initialisation). Trained encoders are saved as safetensors so a resumed run loads them.
 */

import { pretrain, type PretrainConfig, resolveConfig } from "@echojepa/jepa";
import { loadVit, saveVit, VisionTransformer, type VitConfig, vitConfig } from "@echojepa/vit";
import type { Backbone, PretrainRecord } from "./results.ts";
import type { DemoPreset } from "./presets.ts";

/** The pretraining config of one objective under a preset; `seed`: the run's `runSeeds(n).pretrain` (0 for seed 0). */
export function pretrainConfig(
  p: DemoPreset,
  objective: "jepa" | "mae",
  outDir: string,
  seed = 0,
): PretrainConfig {
  const itersPerEpoch = Math.max(1, Math.ceil(p.pretrainSteps / 10));
  const epochs = Math.max(1, Math.round(p.pretrainSteps / itersPerEpoch));
  return resolveConfig("micro", p.pretrain, {
    name: `demo-${p.name}-${objective}`,
    objective,
    seed,
    data: {
      source: "phantom",
      frames: p.frames,
      cropSize: p.size,
      phantomClips: p.pretrainClips === "stream" ? 1 : p.pretrainClips,
      phantomStream: p.pretrainClips === "stream",
      phantomSpeckle: p.speckle,
      phantomNuisance: p.nuisance,
      phantomFps: p.fps,
      workers: 0,
    },
    encoder: p.encoder,
    optim: { batchSize: p.pretrainBatch, epochs, itersPerEpoch, warmupEpochs: Math.min(1, epochs - 1) },
    run: {
      outDir,
      logEvery: Math.max(1, Math.min(10, Math.floor(p.pretrainSteps / 10))),
      keepEveryEpochs: p.curveEveryEpochs,
    },
  });
}

/** The encoder architecture of a preset. */
export function demoEncoderConfig(p: DemoPreset): VitConfig {
  return vitConfig({
    ...p.encoder,
    numFrames: p.frames,
    imageSize: p.size,
  });
}

/** The encoders a pretraining objective leaves for probing: JEPA's target and online encoders, MAE's encoder. */
export function pretrainedBackbones(objective: "jepa" | "mae"): Backbone[] {
  return objective === "jepa" ? ["jepa", "jepa-online"] : ["mae"];
}

/**
 * Pretrains one objective (resuming an interrupted run from its checkpoint), saves the encoders the probes read
 * ({@link pretrainedBackbones}) and returns them with the training record.
 */
export async function pretrainBackbone(
  p: DemoPreset,
  objective: "jepa" | "mae",
  runDir: string,
  seed: number,
  progress: boolean,
): Promise<{ encoders: Map<Backbone, VisionTransformer>; record: PretrainRecord }> {
  const outDir = `${runDir}/pretrain-${objective}`;
  const config = pretrainConfig(p, objective, outDir, seed);
  const resume = await exists(`${outDir}/checkpoints/latest.json`);
  const started = performance.now();
  const result = await pretrain(config, { resume, progress, verbose: true });
  const encoders = new Map<Backbone, VisionTransformer>(
    objective === "jepa"
      ? [["jepa", result.targetEncoder!], ["jepa-online", result.encoder]]
      : [["mae", result.encoder]],
  );
  result.head.dispose();
  for (const [name, encoder] of encoders) {
    await Deno.writeFile(`${runDir}/backbones/${name}.safetensors`, await saveVit(encoder));
  }
  return {
    encoders,
    record: {
      lossHistory: result.lossHistory,
      targetStdHistory: result.targetStdHistory,
      steps: result.steps,
      clipsPerSecond: result.clipsPerSecond,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/**
 * A randomly initialised encoder of the preset's architecture (the floor of the comparison); with the pretraining
 * seed it is the pretraining runs' own initialisation (the trainer builds its encoder with that seed).
 */
export function randomBackbone(p: DemoPreset, seed: number): VisionTransformer {
  return new VisionTransformer(demoEncoderConfig(p), { seed });
}

/** Loads a saved backbone. */
export async function loadBackbone(runDir: string, name: Backbone): Promise<VisionTransformer> {
  return loadVit(await Deno.readFile(`${runDir}/backbones/${name}.safetensors`));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
