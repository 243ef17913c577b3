import assert from "node:assert/strict";
import {
  headDim,
  parameterCount,
  parameterShapes,
  tokenCount,
  tokenGrid,
  VIT_VARIANTS,
  vitConfig,
} from "./config.ts";
import { ropeAxisDim } from "./rope.ts";

Deno.test("parameter counts of ViT-L and ViT-g equal the reference's (tubelet 2, patch 16)", () => {
  assert.equal(parameterCount(vitConfig("large")), 303_885_312);
  assert.equal(parameterCount(vitConfig("giant")), 1_012_173_952);
  assert.equal(parameterCount(vitConfig("huge")), 631_648_000);
});

Deno.test("variants have the reference's widths, heads and head dims", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(VIT_VARIANTS).map(([k, v]) => [k, [v.embedDim, v.depth, v.numHeads]])),
    {
      tiny: [192, 12, 3],
      small: [384, 12, 6],
      base: [768, 12, 12],
      large: [1024, 24, 16],
      huge: [1280, 32, 16],
      giant: [1408, 40, 22],
    },
  );
  assert.equal(headDim(vitConfig("giant")), 64);
  assert.equal(vitConfig("giant").mlpHidden, 6144);
  // RoPE split: 20·3 + 4 for head dim 64, 26·3 + 2 for 80, 10·3 + 2 for the predictor's 32.
  assert.deepEqual([64, 80, 32].map(ropeAxisDim), [20, 26, 10]);
});

Deno.test("token grids of the reference's clip sizes", () => {
  const c = vitConfig("large");
  assert.equal(tokenCount(tokenGrid(c, 16, 224, 224)), 1568);
  assert.equal(tokenCount(tokenGrid(c, 16, 336, 336)), 3528);
  assert.equal(tokenCount(tokenGrid(c, 16, 112, 112)), 392);
  assert.throws(() => tokenGrid(c, 15, 224, 224), /15 frames/);
});

Deno.test("custom sizes default the MLP to 4·D and reject heads that do not divide D", () => {
  const c = vitConfig({ embedDim: 24, depth: 2, numHeads: 2 });
  assert.equal(c.mlpHidden, 96);
  assert.equal(c.layerNormEps, 1e-6);
  assert.throws(() => vitConfig({ embedDim: 25, depth: 2, numHeads: 2 }), /does not divide/);
  assert.throws(() => vitConfig("enormous" as "large"), /unknown variant/);
});

Deno.test("parameter names are the reference's state-dict keys", () => {
  const names = [...parameterShapes(vitConfig({ embedDim: 24, depth: 1, numHeads: 2 })).keys()];
  assert.deepEqual(names, [
    "patch_embed.proj.weight",
    "patch_embed.proj.bias",
    "blocks.0.norm1.weight",
    "blocks.0.norm1.bias",
    "blocks.0.attn.qkv.weight",
    "blocks.0.attn.qkv.bias",
    "blocks.0.attn.proj.weight",
    "blocks.0.attn.proj.bias",
    "blocks.0.norm2.weight",
    "blocks.0.norm2.bias",
    "blocks.0.mlp.fc1.weight",
    "blocks.0.mlp.fc1.bias",
    "blocks.0.mlp.fc2.weight",
    "blocks.0.mlp.fc2.bias",
    "norm.weight",
    "norm.bias",
  ]);
  const sincos = parameterShapes(
    vitConfig({ embedDim: 24, depth: 1, numHeads: 2, positionEncoding: "sincos" }),
  );
  assert.deepEqual(sincos.get("pos_embed"), [1, 8 * 14 * 14, 24]);
});
