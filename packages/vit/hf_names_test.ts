import assert from "node:assert/strict";
import { init, type Tensor, tensor } from "@echojepa/tensor";
import { fromHuggingFaceState, isHuggingFaceState, vitConfigFromHuggingFace } from "./hf_names.ts";

await init();

Deno.test("Hugging Face names map to the reference's, with query/key/value fused into qkv in that row order", async () => {
  const t = (values: number[]) => tensor(values, [values.length, 1]);
  const state = new Map<string, Tensor>([
    ["vjepa2.encoder.embeddings.patch_embeddings.proj.bias", t([0])],
    ["encoder.layer.3.attention.attention.query.weight", t([1, 1])],
    ["encoder.layer.3.attention.attention.key.weight", t([2, 2])],
    ["encoder.layer.3.attention.attention.value.weight", t([3, 3])],
    ["encoder.layer.3.attention.proj.bias", t([4])],
    ["encoder.layer.3.mlp.fc2.weight", t([5])],
    ["encoder.layer.3.norm1.bias", t([6])],
    ["encoder.layernorm.weight", t([7])],
    ["encoder.embeddings.position_embeddings", t([8])],
    ["predictor.layer.0.norm1.bias", t([9])],
    ["encoder.layer.3.surprise", t([10])],
  ]);
  assert.ok(isHuggingFaceState(state.keys()));
  assert.ok(!isHuggingFaceState(["blocks.0.norm1.weight", "norm.bias"]));
  const out = fromHuggingFaceState(state);
  assert.deepEqual([...out.keys()].sort(), [
    "blocks.3.attn.proj.bias",
    "blocks.3.attn.qkv.weight",
    "blocks.3.mlp.fc2.weight",
    "blocks.3.norm1.bias",
    "encoder.layer.3.surprise",
    "norm.weight",
    "patch_embed.proj.bias",
    "pos_embed",
  ]);
  assert.deepEqual(Array.from(await out.get("blocks.3.attn.qkv.weight")!.toArray()), [1, 1, 2, 2, 3, 3]);
  state.delete("encoder.layer.3.attention.attention.value.weight");
  assert.throws(
    () => fromHuggingFaceState(state),
    /qkv\.weight needs query, key and value; the file has only query, key/,
  );
});

Deno.test("vitConfigFromHuggingFace reads VJEPA2Config (ViT-g: 48/11 MLP ratio → 6144)", () => {
  const c = vitConfigFromHuggingFace({
    hidden_size: 1408,
    num_hidden_layers: 40,
    num_attention_heads: 22,
    mlp_ratio: 4.363636363636363,
    patch_size: 16,
    tubelet_size: 2,
    crop_size: 384,
    frames_per_clip: 64,
    layer_norm_eps: 1e-6,
  });
  assert.deepEqual([c.embedDim, c.depth, c.numHeads, c.mlpHidden, c.positionEncoding], [
    1408,
    40,
    22,
    6144,
    "rope",
  ]);
  assert.throws(() => vitConfigFromHuggingFace({ hidden_size: 1024 }), /no numeric "num_hidden_layers"/);
});
