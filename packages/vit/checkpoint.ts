/**
 * Saving and loading encoder weights as safetensors, by the reference's state-dict names.
 *
 * Released V-JEPA / V-JEPA 2 / EchoJEPA checkpoints are PyTorch pickles whose encoder keys start with
 * `module.backbone.` (DDP around the multi-mask wrapper); converted to safetensors they keep those prefixes, so
 * loading strips any leading `module.` and `backbone.`. Files in Hugging Face transformers' naming (`VJEPA2Model`,
 * `encoder.layer.{i}.attention.query.weight`, …) are recognised and mapped back (see hf_names.ts). A RoPE model
 * ignores a stray `pos_embed` (some released state dicts are said to carry one the model never uses). Anything
 * else that does not match is a loud error listing every missing, unexpected and mis-shaped key.
 */

import { loadSafetensors, parseSafetensorsHeader, saveSafetensors, type Tensor } from "@echojepa/tensor";
import { type VitConfig } from "./config.ts";
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
   * that holds a whole training checkpoint (default: every key).
   */
  select?: string;
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
 * Copies the weights of a safetensors file into `model`. Keys may carry `module.`/`backbone.` prefixes. With
 * `strict` (default) any missing, unexpected or mis-shaped key throws one error that lists them all, and nothing is
 * loaded.
 */
export function loadVitWeights(
  model: VisionTransformer,
  bytes: Uint8Array,
  { strict = true, source = "safetensors file", select = "" }: LoadVitOptions = {},
): LoadVitResult {
  const loaded = loadSafetensors(bytes);
  let renamed = new Map<string, Tensor>();
  const duplicates: string[] = [];
  for (const [key, t] of loaded) {
    if (!key.startsWith(select)) continue;
    const name = stripWrapperPrefixes(key.slice(select.length));
    if (renamed.has(name)) duplicates.push(`${key} (→ ${name})`);
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
    if (renamed.size === 0) throw new Error(`no tensor keys start with "${select}"`);
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
 * Builds a model from a safetensors file: the configuration comes from the file's metadata (files written by
 * {@link saveVit}) or from `config` (needed for converted reference checkpoints, whose shapes do not tell the
 * number of heads).
 */
export function loadVit(
  bytes: Uint8Array,
  config?: VitConfig,
  options: LoadVitOptions = {},
): VisionTransformer {
  const source = options.source ?? "the file";
  let header;
  try {
    header = parseSafetensorsHeader(bytes);
  } catch (e) {
    throw new WeightsError(source, "implausible-metadata", (e as Error).message);
  }
  const stored = config ?? header.metadata[CONFIG_METADATA_KEY];
  if (!stored) {
    throw new Error(
      `loadVit: ${source} has no "${CONFIG_METADATA_KEY}" metadata; pass the configuration ` +
        `(e.g. vitConfig("large")) for a converted reference checkpoint`,
    );
  }
  // Bounds and shapes first: nothing is built from a configuration the tensors do not bear out.
  const shapes = new Map([...header.entries].map(([name, e]) => [name, e.shape]));
  const c = checkVitWeights(stored, shapes, { source, select: options.select ?? "" });
  const model = new VisionTransformer(c);
  loadVitWeights(model, bytes, options);
  return model;
}
