/**
 * The three backbones of the controlled comparison, all the same ViT: V-JEPA pretraining (its EMA target encoder,
 * which the reference's probes read), pixel-MAE pretraining with the same data, augmentation and step budget, and
 * a random initialisation as the floor. Trained encoders are saved as safetensors so a resumed run loads them.
 */

import { pretrain, type PretrainConfig, resolveConfig } from "@echojepa/jepa";
import { loadVit, saveVit, VisionTransformer, type VitConfig, vitConfig } from "@echojepa/vit";
import type { Backbone, PretrainRecord } from "./results.ts";
import type { DemoPreset } from "./presets.ts";

/** The pretraining config of one objective under a preset. */
export function pretrainConfig(p: DemoPreset, objective: "jepa" | "mae", outDir: string): PretrainConfig {
  const itersPerEpoch = Math.max(1, Math.ceil(p.pretrainSteps / 10));
  const epochs = Math.max(1, Math.round(p.pretrainSteps / itersPerEpoch));
  return resolveConfig("micro", p.pretrain, {
    name: `demo-${p.name}-${objective}`,
    objective,
    seed: 0,
    data: {
      source: "phantom",
      frames: p.frames,
      cropSize: p.size,
      phantomClips: p.pretrainClips,
      phantomFps: p.fps,
      workers: 0,
    },
    encoder: p.encoder,
    optim: { batchSize: p.pretrainBatch, epochs, itersPerEpoch, warmupEpochs: Math.min(1, epochs - 1) },
    run: { outDir, logEvery: Math.max(1, Math.min(10, Math.floor(p.pretrainSteps / 10))) },
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

/**
 * Pretrains one objective (resuming an interrupted run from its checkpoint), saves the encoder the probes read and
 * returns it with the training record.
 */
export async function pretrainBackbone(
  p: DemoPreset,
  objective: "jepa" | "mae",
  runDir: string,
  progress: boolean,
): Promise<{ encoder: VisionTransformer; record: PretrainRecord }> {
  const outDir = `${runDir}/pretrain-${objective}`;
  const config = pretrainConfig(p, objective, outDir);
  const resume = await exists(`${outDir}/checkpoints/latest.json`);
  const started = performance.now();
  const result = await pretrain(config, { resume, progress, verbose: true });
  const encoder = objective === "jepa" ? result.targetEncoder! : result.encoder;
  const other = objective === "jepa" ? result.encoder : result.targetEncoder;
  other?.dispose();
  result.head.dispose();
  await Deno.writeFile(`${runDir}/backbones/${objective}.safetensors`, await saveVit(encoder));
  return {
    encoder,
    record: {
      lossHistory: result.lossHistory,
      targetStdHistory: result.targetStdHistory,
      steps: result.steps,
      clipsPerSecond: result.clipsPerSecond,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/** A randomly initialised encoder of the preset's architecture (the floor of the comparison). */
export function randomBackbone(p: DemoPreset): VisionTransformer {
  return new VisionTransformer(demoEncoderConfig(p), { seed: 12345 });
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
