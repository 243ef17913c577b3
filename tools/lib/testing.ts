/**
 * Fixtures for the CLI tests: a tiny random encoder saved as safetensors, and a handful of tiny phantom videos with
 * the reference-style manifests and an EchoNet-style FileList.csv, in a temporary folder.
 *
 * @module
 */

import { writeDataset } from "@echojepa/phantom";
import { init } from "@echojepa/tensor";
import { saveVit, VisionTransformer, type VitConfig, vitConfig } from "@echojepa/vit";

/** A tiny encoder: width 16, one block, 8-pixel patches, nominal clips of 4 frames × 32 px. */
export function tinyConfig(embedDim = 16): VitConfig {
  return vitConfig({ embedDim, depth: 1, numHeads: 2, patchSize: 8 }, { numFrames: 4, imageSize: 32 });
}

/** Writes a tiny random encoder to `<dir>/<name>` and returns the path. */
export async function writeTinyEncoder(
  dir: string,
  name = "encoder.safetensors",
  embedDim = 16,
): Promise<string> {
  await init();
  const model = new VisionTransformer(tinyConfig(embedDim), { seed: 3 });
  const path = `${dir}/${name}`;
  await Deno.writeFile(path, await saveVit(model));
  model.dispose();
  return path;
}

/**
 * Writes 5 phantom patients in A4C and PLAX (10 AVIs, 16 frames of 32 × 32) to `<dir>/data`: `views_*.csv` (classes 2
 * and 5), `lvef_*.csv` and `FileList.csv` (A4C, with EF and Split). Returns the folder.
 */
export async function writeTinyDataset(dir: string): Promise<string> {
  const out = `${dir}/data`;
  await writeDataset({
    out,
    patients: 5,
    views: ["A4C", "PLAX"],
    frames: 16,
    height: 32,
    width: 32,
    workers: 1,
  });
  return out;
}
