/**
 * Loading a frozen encoder for probing, from what users have on disk:
 *
 * - an EchoJEPA-TS pretraining checkpoint: a run folder, its `checkpoints/` folder, or a checkpoint `.json`
 *   (`latest.json`, `e0010.json`); the architecture comes from the run's config, the weights from the module named
 *   by `key` (default `target_encoder`, the reference's choice; `encoder` when the run has no target, e.g. MAE);
 * - a safetensors file written by `saveVit` (configuration in its metadata), or any other encoder weights file
 *   — a PyTorch `.pt` (released V-JEPA 2 / EchoJEPA checkpoints, read piecewise: only the chosen module's
 *   storages), a converted safetensors, a Hugging Face `model.safetensors` — together with `config`: a variant name
 *   (`large`), a JSON file with a `VitConfig`, or a Hugging Face `config.json`. The format is told by content.
 *   `module.`/`backbone.` prefixes are stripped; a file holding several modules (`target_encoder`, `encoder`, …)
 *   is read by `key`.
 *
 * @module
 */

import { encoderConfig, readCheckpointState } from "@echojepa/jepa";
import { listWeights, type WeightsInput, type WeightsListing } from "@echojepa/tensor";
import {
  CONFIG_METADATA_KEY,
  loadVitWeights,
  stripWrapperPrefixes,
  VisionTransformer,
  VIT_VARIANTS,
  type VitConfig,
  vitConfig,
  vitConfigFromHuggingFace,
  type VitVariant,
} from "@echojepa/vit";
import { absolutePath, CliError } from "./cli.ts";

/** Clip settings an encoder was pretrained with, used as the probe's defaults. */
export interface TrainingClipSettings {
  /** Frames per clip. */
  frames: number;
  /** Square input side in pixels. */
  resolution: number;
  /** Raw frames between sampled frames, when known. */
  frameStep?: number;
}

/** A frozen encoder and where it came from. */
export interface LoadedEncoder {
  /** The model, in evaluation mode. */
  encoder: VisionTransformer;
  /** Its architecture. */
  config: VitConfig;
  /** Absolute path of what was given (checkpoint JSON or safetensors file). */
  path: string;
  /** The module read from a multi-module file (`target_encoder`, `encoder`), or null for a bare encoder file. */
  key: string | null;
  /** Clip settings of pretraining (pretraining checkpoints), else the configuration's nominal clip size. */
  training: TrainingClipSettings;
}

/** Options of {@link loadEncoder}. */
export interface LoadEncoderOptions {
  /** Module to read from a multi-module file; default `target_encoder` when present, else `encoder`. */
  key?: string;
  /** Architecture for safetensors files without stored configuration: variant name or JSON file. */
  config?: string;
  /** Architecture for such files when `config` is not given (e.g. the one a saved probe recorded). */
  resolvedConfig?: VitConfig;
  /** Called with notices worth showing the user (e.g. a fallback key). */
  onNotice?: (message: string) => void;
}

/** Loads an encoder from a pretraining checkpoint or a safetensors file; see the module documentation. */
export async function loadEncoder(path: string, options: LoadEncoderOptions = {}): Promise<LoadedEncoder> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch {
    throw new CliError(`encoder: ${path} does not exist`);
  }
  if (stat.isDirectory) return await fromCheckpoint(await findCheckpointJson(path), options);
  if (path.endsWith(".json")) return await fromCheckpoint(path, options);
  return fromWeightsFile(path, options);
}

async function findCheckpointJson(dir: string): Promise<string> {
  const base = dir.replace(/\/+$/, "");
  for (const candidate of [`${base}/latest.json`, `${base}/checkpoints/latest.json`]) {
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch {
      // Try the next place.
    }
  }
  throw new CliError(
    `encoder: ${dir} is a folder without latest.json or checkpoints/latest.json; pass a checkpoint .json or a ` +
      `.safetensors file`,
  );
}

async function fromCheckpoint(jsonPath: string, options: LoadEncoderOptions): Promise<LoadedEncoder> {
  let found;
  try {
    found = await readCheckpointState(jsonPath);
  } catch (e) {
    throw new CliError(`encoder: ${(e as Error).message}`);
  }
  const { state } = found;
  const weightsPath = `${dirOf(found.jsonPath)}/${state.weights.slice(state.weights.lastIndexOf("/") + 1)}`;
  const modules = modulePrefixes(listing(weightsPath).entries.map((e) => e.name));
  const key = chooseKey(modules, options, found.jsonPath);
  const config = encoderConfig(state.config);
  const encoder = buildAndLoad(config, weightsPath, `${key}.`, `${found.jsonPath} (${key})`);
  return {
    encoder,
    config,
    path: absolutePath(found.jsonPath),
    key,
    training: {
      frames: state.config.data.frames,
      resolution: state.config.data.cropSize,
      frameStep: state.config.data.frameStep,
    },
  };
}

function listing(path: string): WeightsListing {
  try {
    return listWeights(path);
  } catch (e) {
    throw new CliError(`encoder: ${(e as Error).message}`);
  }
}

async function fromWeightsFile(path: string, options: LoadEncoderOptions): Promise<LoadedEncoder> {
  const header = listing(path);
  if (header.metadata.format === "echojepa-ts-pretrain/1") {
    throw new CliError(
      `encoder: ${path} holds the weights of a pretraining checkpoint; pass the checkpoint's .json ` +
        `(e.g. ${dirOf(path)}/latest.json) so the architecture is known`,
    );
  }
  const names = header.entries.map((e) => e.name);
  const modules = modulePrefixes(names);
  // A bare encoder file has no module prefix; Hugging Face names start with "encoder." too, but are whole models.
  const bare = names.some((n) =>
    /^(blocks\.|patch_embed\.|norm\.|encoder\.layer\.|encoder\.embeddings\.)/.test(
      stripWrapperPrefixes(n),
    )
  );
  const key = bare && options.key === undefined ? null : chooseKey(modules, options, path);
  let config: VitConfig;
  if (options.config !== undefined) config = await configFromFlag(options.config);
  else if (header.metadata[CONFIG_METADATA_KEY]) {
    config = vitConfig(JSON.parse(header.metadata[CONFIG_METADATA_KEY]) as VitConfig);
  } else if (options.resolvedConfig) config = vitConfig(options.resolvedConfig);
  else {
    throw new CliError(
      `encoder: ${path} does not record its architecture; pass --config with a variant name ` +
        `(${Object.keys(VIT_VARIANTS).join(", ")}), a VitConfig JSON file or a Hugging Face config.json`,
    );
  }
  const encoder = buildAndLoad(config, path, key ? `${key}.` : "", key ? `${path} (${key})` : path);
  return {
    encoder,
    config,
    path: absolutePath(path),
    key,
    training: { frames: config.numFrames, resolution: config.imageSize },
  };
}

/** Reads `--config`: a variant name, a VitConfig JSON, or a Hugging Face config.json. */
export async function configFromFlag(value: string): Promise<VitConfig> {
  if (value in VIT_VARIANTS) return vitConfig(value as VitVariant);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(value));
  } catch (e) {
    throw new CliError(
      `--config: "${value}" is neither a variant (${
        Object.keys(VIT_VARIANTS).join(", ")
      }) nor a readable JSON ` +
        `file (${(e as Error).message})`,
    );
  }
  try {
    if ("hidden_size" in json) return vitConfigFromHuggingFace(json);
    return vitConfig(json as unknown as VitConfig);
  } catch (e) {
    throw new CliError(`--config ${value}: ${(e as Error).message}`);
  }
}

/** First name segments that look like module prefixes of a training checkpoint. */
function modulePrefixes(names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const first = n.slice(0, n.indexOf("."));
    if (first && first !== "optimizer" && first !== "module" && first !== "backbone") out.add(first);
  }
  return [...out].sort();
}

function chooseKey(modules: string[], options: LoadEncoderOptions, source: string): string {
  if (options.key !== undefined) {
    if (!modules.includes(options.key)) {
      throw new CliError(
        `--key ${options.key}: ${source} has no "${options.key}" weights; it holds: ${modules.join(", ")}`,
      );
    }
    return options.key;
  }
  if (modules.includes("target_encoder")) return "target_encoder";
  if (modules.includes("encoder")) {
    options.onNotice?.(`encoder: ${source} has no target_encoder (pixel-MAE run?); using "encoder"`);
    return "encoder";
  }
  throw new CliError(
    `encoder: ${source} holds neither target_encoder nor encoder weights (found: ${modules.join(", ")}); ` +
      `pass --key`,
  );
}

function buildAndLoad(
  config: VitConfig,
  input: WeightsInput,
  select: string,
  source: string,
): VisionTransformer {
  const encoder = new VisionTransformer(config);
  try {
    loadVitWeights(encoder, input, { select, source });
  } catch (e) {
    encoder.dispose();
    throw new CliError(`encoder: ${(e as Error).message}`);
  }
  encoder.eval();
  for (const p of encoder.parameters()) p.requiresGrad = false;
  return encoder;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
}
