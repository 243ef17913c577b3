import assert from "node:assert/strict";
import {
  init,
  loadSafetensors,
  noGrad,
  saveSafetensors,
  slice,
  type Tensor,
  tensor,
  tidy,
} from "@echojepa/tensor";
import { randomData } from "@echojepa/tensor/testing";
import { loadVit, loadVitWeights, saveVit, stripWrapperPrefixes } from "./checkpoint.ts";
import { vitConfig } from "./config.ts";
import { VisionTransformer } from "./vision_transformer.ts";

await init();

const CONFIG = vitConfig({ embedDim: 24, depth: 2, numHeads: 2 });
const SHAPE = [1, 3, 4, 32, 32];

function outputOf(
  model: VisionTransformer,
  video: Float32Array,
): Promise<Float32Array | Int32Array | Uint32Array> {
  return tidy(() => noGrad(() => model.forward(tensor(video, SHAPE))).toArray());
}

Deno.test("save → load round trip gives identical outputs (configuration travels in the metadata)", async () => {
  const model = new VisionTransformer(CONFIG, { seed: 1 });
  const video = randomData(SHAPE, 2);
  const bytes = await saveVit(model);
  const loaded = loadVit(bytes);
  assert.deepEqual(loaded.config, model.config);
  assert.deepEqual(await outputOf(loaded, video), await outputOf(model, video));
  model.dispose();
  loaded.dispose();
});

Deno.test("loading tolerates module./backbone. prefixes, selects a sub-dict, and ignores a stray pos_embed", async () => {
  const source = new VisionTransformer(CONFIG, { seed: 3 });
  const video = randomData(SHAPE, 4);
  const prefixed = new Map<string, Tensor>();
  for (const [name, t] of source.stateDict()) {
    prefixed.set(`target_encoder.module.backbone.${name}`, t);
    prefixed.set(`predictor.module.backbone.${name}`, t);
  }
  const stray = tensor(new Float32Array(32 * 24), [1, 32, 24]);
  prefixed.set("target_encoder.module.backbone.pos_embed", stray);
  const bytes = await saveSafetensors(prefixed);
  stray.dispose();
  const target = new VisionTransformer(CONFIG, { seed: 99 });
  const result = loadVitWeights(target, bytes, { select: "target_encoder." });
  assert.deepEqual(result, { missing: [], unexpected: [], mismatched: [] });
  assert.deepEqual(await outputOf(target, video), await outputOf(source, video));
  assert.equal(stripWrapperPrefixes("module.backbone.blocks.0.norm1.weight"), "blocks.0.norm1.weight");
  assert.equal(stripWrapperPrefixes("backbone.module.norm.bias"), "norm.bias");
  source.dispose();
  target.dispose();
});

Deno.test("a mismatching checkpoint fails loudly, listing missing, unexpected and mis-shaped keys", async () => {
  const other = new VisionTransformer(vitConfig({ embedDim: 24, depth: 3, numHeads: 2, mlpHidden: 48 }));
  const state = other.stateDict();
  state.delete("norm.bias");
  const bytes = await saveSafetensors(state);
  const model = new VisionTransformer(CONFIG);
  assert.throws(
    () => loadVitWeights(model, bytes, { source: "other.safetensors" }),
    (e: Error) =>
      /other\.safetensors/.test(e.message) && /missing \(1\): norm\.bias/.test(e.message) &&
      /unexpected \(12\):.*blocks\.2\./.test(e.message) &&
      /mis-shaped.*blocks\.0\.mlp\.fc1\.weight/.test(e.message),
  );
  // Non-strict loading reports the same and loads what fits.
  const result = loadVitWeights(model, bytes, { strict: false });
  assert.deepEqual(result.missing, ["norm.bias"]);
  assert.equal(result.unexpected.length, 12);
  assert.equal(result.mismatched.length, 6); // fc1.weight, fc1.bias, fc2.weight of blocks 0 and 1
  assert.throws(() => loadVit(bytes), /no "echojepa\.vit\.config" metadata/);
  for (const t of loadSafetensors(bytes).values()) t.dispose();
  other.dispose();
  model.dispose();
});

Deno.test("a Hugging Face transformers VJEPA2Model state dict (split query/key/value) loads by its own names", async () => {
  const source = new VisionTransformer(CONFIG, { seed: 7 });
  const video = randomData(SHAPE, 8);
  const D = CONFIG.embedDim;
  const hf = new Map<string, Tensor>();
  const made: Tensor[] = [];
  for (const [name, t] of source.stateDict()) {
    const qkv = /^blocks\.(\d+)\.attn\.qkv\.(weight|bias)$/.exec(name);
    if (qkv) {
      ["query", "key", "value"].forEach((part, i) => {
        const piece = noGrad(() => slice(t, 0, i * D, (i + 1) * D));
        made.push(piece);
        hf.set(`encoder.layer.${qkv[1]}.attention.${part}.${qkv[2]}`, piece);
      });
      continue;
    }
    const renamed = name
      .replace(/^blocks\.(\d+)\.attn\./, "encoder.layer.$1.attention.")
      .replace(/^blocks\./, "encoder.layer.")
      .replace(/^patch_embed\./, "encoder.embeddings.patch_embeddings.")
      .replace(/^norm\./, "encoder.layernorm.");
    hf.set(renamed, t);
  }
  // Predictor keys in the same file are skipped.
  hf.set("predictor.layernorm.weight", source.norm.weight!);
  const bytes = await saveSafetensors(hf);
  const target = new VisionTransformer(CONFIG, { seed: 123 });
  loadVitWeights(target, bytes);
  assert.deepEqual(await outputOf(target, video), await outputOf(source, video));
  for (const t of made) t.dispose();
  source.dispose();
  target.dispose();
});
