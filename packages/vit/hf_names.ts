/**
 * Hugging Face transformers' V-JEPA 2 naming (`VJEPA2Model`, e.g. `facebook/vjepa2-vitl-fpc64-256`) mapped back to
 * the reference's state-dict names, so the safetensors files published there load directly.
 *
 * The HF port renames `blocks.{i}.` → `encoder.layer.{i}.`, `attn.` → `attention.`, `patch_embed.` →
 * `encoder.embeddings.patch_embeddings.`, `pos_embed` → `encoder.embeddings.position_embeddings`, `norm.` →
 * `encoder.layernorm.`, and splits the fused `qkv` projection into `query`, `key` and `value` (rows [0, D), [D, 2D),
 * [2D, 3D) of `qkv`). Some conversions nest the attention once more (`attention.attention.`); both are accepted.
 * Keys outside the encoder (the predictor, a classification head) are left out.
 */

import { concat, noGrad, type Tensor } from "@echojepa/tensor";
import { type VitConfig, vitConfig } from "./config.ts";

const ENCODER = /^(?:.*\.)?encoder\.(layer\.\d+\..+|embeddings\..+|layernorm\..+)$/;
const ATTENTION = /^layer\.(\d+)\.attention\.(?:attention\.)?(query|key|value|proj)\.(weight|bias)$/;
const LAYER = /^layer\.(\d+)\.(norm1|norm2|mlp\.fc1|mlp\.fc2)\.(weight|bias)$/;

/** Whether a state dict uses the Hugging Face names (any `encoder.layer.{i}.` key). */
export function isHuggingFaceState(names: Iterable<string>): boolean {
  for (const n of names) if (/(^|\.)encoder\.layer\.\d+\./.test(n)) return true;
  return false;
}

/**
 * Renames a Hugging Face V-JEPA 2 state dict to the reference's names, concatenating query/key/value into `qkv`
 * (new tensors, owned by the caller; the other entries are the input tensors themselves). Keys that are not part of
 * the encoder are dropped; encoder keys the mapping does not know are kept under their HF name, so a strict load
 * reports them as unexpected.
 */
export function fromHuggingFaceState(state: Map<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  const qkv = new Map<string, Partial<Record<"query" | "key" | "value", Tensor>>>();
  for (const [key, t] of state) {
    const m = ENCODER.exec(key);
    if (!m) continue;
    const rest = m[1];
    let a: RegExpExecArray | null;
    if (rest.startsWith("embeddings.patch_embeddings.")) {
      out.set("patch_embed." + rest.slice("embeddings.patch_embeddings.".length), t);
    } else if (rest === "embeddings.position_embeddings") {
      out.set("pos_embed", t);
    } else if (rest.startsWith("layernorm.")) {
      out.set("norm." + rest.slice("layernorm.".length), t);
    } else if ((a = ATTENTION.exec(rest))) {
      const [, layer, part, kind] = a;
      if (part === "proj") out.set(`blocks.${layer}.attn.proj.${kind}`, t);
      else {
        const name = `blocks.${layer}.attn.qkv.${kind}`;
        const parts = qkv.get(name) ?? {};
        parts[part as "query" | "key" | "value"] = t;
        qkv.set(name, parts);
      }
    } else if ((a = LAYER.exec(rest))) {
      out.set(`blocks.${a[1]}.${a[2]}.${a[3]}`, t);
    } else {
      out.set(key, t);
    }
  }
  for (const [name, { query, key, value }] of qkv) {
    if (!query || !key || !value) {
      const have = Object.entries({ query, key, value }).filter(([, v]) => v).map(([k]) => k);
      throw new Error(
        `fromHuggingFaceState: ${name} needs query, key and value; the file has only ${have.join(", ")}`,
      );
    }
    out.set(name, noGrad(() => concat([query, key, value], 0)));
  }
  return out;
}

/**
 * The encoder configuration described by a Hugging Face V-JEPA 2 `config.json` (`VJEPA2Config`: `hidden_size`,
 * `num_hidden_layers`, `num_attention_heads`, `mlp_ratio`, `patch_size`, `tubelet_size`, `in_chans`,
 * `layer_norm_eps`, `qkv_bias`, `crop_size`, `frames_per_clip`). The HF port always uses RoPE.
 */
export function vitConfigFromHuggingFace(json: Record<string, unknown>): VitConfig {
  const num = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`vitConfigFromHuggingFace: config.json has no numeric "${key}"`);
    }
    return v;
  };
  const embedDim = num("hidden_size");
  const patch = json.patch_size;
  return vitConfig({
    embedDim,
    depth: num("num_hidden_layers"),
    numHeads: num("num_attention_heads"),
    // The reference's int(D · mlp_ratio); the epsilon guards ratios like 48/11 stored as decimals.
    mlpHidden: Math.floor(embedDim * num("mlp_ratio", 4) + 1e-6),
    patchSize: Array.isArray(patch) ? Number(patch[0]) : num("patch_size", 16),
    tubeletSize: num("tubelet_size", 2),
    inChannels: num("in_chans", 3),
    layerNormEps: num("layer_norm_eps", 1e-6),
    qkvBias: json.qkv_bias === undefined ? true : Boolean(json.qkv_bias),
    positionEncoding: "rope",
    imageSize: num("crop_size", 256),
    numFrames: num("frames_per_clip", 64),
  });
}
