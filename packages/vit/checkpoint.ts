/**
 * Saving encoder weights as safetensors and loading them from safetensors or PyTorch `.pt` files (told apart by
 * content), by the reference's state-dict names.
 *
 * Released V-JEPA / V-JEPA 2 / EchoJEPA checkpoints are PyTorch zip archives holding a training checkpoint
 * (`encoder`, `predictor`, `target_encoder`, `opt`, …) whose encoder keys start with `module.backbone.` (DDP around
 * the multi-mask wrapper). Loading picks the module as the reference's evaluation does (`target_encoder`, else
 * `encoder`; `key` chooses another), reads only that module's storages, and strips any leading `module.` and
 * `backbone.`; safetensors conversions of such files (`target_encoder.module.backbone.…`) load the same way. Files in Hugging Face transformers' naming (`VJEPA2Model`,
 * `encoder.layer.{i}.attention.query.weight`, …) are recognised and mapped back (see hf_names.ts). A RoPE model
 * ignores a stray `pos_embed` (some released state dicts are said to carry one the model never uses). Anything
 * else that does not match is a loud error listing every missing, unexpected and mis-shaped key.
 */

import { listWeights, loadWeights, saveSafetensors, type Tensor, type WeightsInput } from "@echojepa/tensor";
import type { VitConfig } from "./config.ts";
import { fromHuggingFaceState, isHuggingFaceState } from "./hf_names.ts";
import { checkVitWeights, WeightsError } from "./weights_check.ts";
import { VisionTransformer } from "./vision_transformer.ts";

/** Metadata key under which {@link saveVit} stores the configuration. */
export const CONFIG_METADATA_KEY = "echojepa.vit.config";

/** Removes any leading `module.` and `backbone.` (in any order, repeated) from a state-dict key. */
export function stripWrapperPrefixes(name: string): string {
  let n = name;
  for (;;) {
    if (n.startsWith("module.")) n = n.slice("module.".length);
    else if (n.startsWith("backbone.")) n = n.slice("backbone.".length);
    else return n;
  }
}

/** Options of {@link loadVitWeights}. */
export interface LoadVitOptions {
  /** Throw on any missing, unexpected or mis-shaped key (default true). */
  strict?: boolean;
  /** A name for the source in error messages (e.g. the file path). */
  source?: string;
  /**
   * Only keys starting with this prefix are read, with the prefix removed, e.g. `"target_encoder."` for a file
   * that holds a whole training checkpoint (default: chosen by {@link encoderPrefix} with `key`).
   */
  select?: string;
  /** Module of a training checkpoint to read (default `target_encoder`, else `encoder`); ignored with `select`. */
  key?: string;
}

/** Whether names (after prefix stripping) are a bare encoder's, reference or Hugging Face naming. */
function isBareEncoder(names: Iterable<string>): boolean {
  for (const n of names) {
    if (
      /^(blocks\.|patch_embed\.|norm\.|encoder\.layer\.|encoder\.embeddings\.)/.test(stripWrapperPrefixes(n))
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The name prefix under which a file's encoder lies: "" for a bare encoder (reference or Hugging Face names), else
 * `<key>.` for the requested module, or `target_encoder.` / `encoder.` (the reference evaluation's choice and its
 * fallback) for a training checkpoint. Throws when the file holds no such module, listing what it holds.
 */
export function encoderPrefix(names: string[], key?: string): string {
  if (key === undefined && isBareEncoder(names)) return "";
  const modules = [...new Set(names.map((n) => n.slice(0, Math.max(n.indexOf("."), 0))).filter((m) => m))];
  const pick = key ?? ["target_encoder", "encoder"].find((m) => modules.includes(m));
  if (pick === undefined || !modules.includes(pick)) {
    throw new Error(
      `no ${pick === undefined ? "target_encoder or encoder" : `"${pick}"`} weights in this file; it holds: ${
        modules.join(", ") || "no modules"
      }`,
    );
  }
  return `${pick}.`;
}

/** Which keys of a checkpoint were not loaded. */
export interface LoadVitResult {
  /** Model parameters the checkpoint lacks. */
  missing: string[];
  /** Checkpoint keys (after prefix stripping) that name no parameter. */
  unexpected: string[];
  /** Keys whose shapes differ, with both shapes. */
  mismatched: string[];
}

/**
 * Copies the weights of a safetensors or PyTorch file (bytes, or a path: large `.pt` files are then read piecewise)
 * into `model`. Keys may carry `module.`/`backbone.` prefixes. With `strict` (default) any missing, unexpected or
 * mis-shaped key throws one error that lists them all, and nothing is loaded.
 */
export function loadVitWeights(
  model: VisionTransformer,
  input: WeightsInput,
  { strict = true, source = typeof input === "string" ? input : "weights file", select, key }:
    LoadVitOptions = {},
): LoadVitResult {
  let loaded: Map<string, Tensor>;
  try {
    const prefix = select ?? encoderPrefix(listWeights(input).entries.map((e) => e.name), key);
    loaded = loadWeights(input, { prefix });
  } catch (e) {
    // A damaged PyTorch file's typed error (its kind tells damage from hostility) goes to the caller as it is.
    if (e instanceof Error && e.name === "TorchCheckpointError") throw e;
    throw new Error(`loadVitWeights: ${source}: ${(e as Error).message}`);
  }
  let renamed = new Map<string, Tensor>();
  const duplicates: string[] = [];
  for (const [k, t] of loaded) {
    const name = stripWrapperPrefixes(k);
    if (renamed.has(name)) duplicates.push(`${k} (→ ${name})`);
    renamed.set(name, t);
  }
  const made: Tensor[] = [];
  try {
    if (isHuggingFaceState(renamed.keys())) {
      renamed = fromHuggingFaceState(renamed);
      // The fused qkv tensors are new; everything else is a loaded tensor.
      const fromFile = new Set(loaded.values());
      for (const t of renamed.values()) if (!fromFile.has(t)) made.push(t);
    }
    if (duplicates.length > 0) {
      throw new Error(
        `${duplicates.length} keys collide after stripping module./backbone.: ${duplicates.join(", ")}`,
      );
    }
    if (renamed.size === 0) throw new Error(`no tensor keys start with "${select ?? key}"`);
    if (model.config.positionEncoding === "rope") renamed.delete("pos_embed");
    return model.loadStateDict(renamed, { strict });
  } catch (e) {
    throw new Error(
      `loadVitWeights: ${source} does not fit this ViT (D=${model.config.embedDim}, depth ${model.config.depth}): ` +
        (e as Error).message,
    );
  } finally {
    // The copies into the parameters are queued on the GPU before these buffers can be reused.
    for (const t of loaded.values()) t.dispose();
    for (const t of made) t.dispose();
  }
}

/** Serialises the model's weights (reference names, no prefixes) with its configuration in the metadata. */
export function saveVit(model: VisionTransformer): Promise<Uint8Array> {
  const state = model.stateDict();
  return saveSafetensors(state, { [CONFIG_METADATA_KEY]: JSON.stringify(model.config) });
}

/**
 * Builds a model from a safetensors or PyTorch file: the configuration comes from `config` (needed for reference
 * checkpoints, whose shapes do not tell the number of heads) or from the metadata of a file written by
 * {@link saveVit}.
 */
export function loadVit(
  input: WeightsInput,
  config?: VitConfig,
  options: LoadVitOptions = {},
): VisionTransformer {
  const source = options.source ?? "the file";
  let listing;
  try {
    listing = listWeights(input);
  } catch (e) {
    // A PyTorch file's own typed error says more than a wrapper would.
    if (e instanceof Error && e.name === "TorchCheckpointError") throw e;
    throw new WeightsError(source, "implausible-metadata", (e as Error).message);
  }
  const stored = config ?? listing.metadata[CONFIG_METADATA_KEY];
  if (!stored) {
    throw new Error(
      `loadVit: ${source} has no "${CONFIG_METADATA_KEY}" metadata; pass the configuration ` +
        `(e.g. vitConfig("large")) for a reference checkpoint`,
    );
  }
  // Bounds and shapes first: nothing is built from a configuration the tensors do not bear out.
  const names = listing.entries.map((e) => e.name);
  const select = options.select ?? encoderPrefix(names, options.key);
  const shapes = new Map(listing.entries.map((e) => [e.name, e.shape]));
  const c = checkVitWeights(stored, shapes, { source, select });
  const model = new VisionTransformer(c);
  try {
    loadVitWeights(model, input, options);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
