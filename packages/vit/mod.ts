/**
 * @module
 * @echojepa/vit — the video Vision Transformer of V-JEPA 2 / EchoJEPA on @echojepa/tensor, weight-compatible with
 * the reference by parameter name: tubelet (2×16×16) embedding, 3-axis RoPE with the reference's tiled-frequency
 * convention (or V-JEPA 1's 3-D sin-cos table), pre-norm blocks, token selection by index, intermediate outputs,
 * safetensors checkpoints (reference names, `module.`/`backbone.` prefixes, or Hugging Face transformers' V-JEPA 2
 * names) and a frozen-embedding helper.
 *
 * ```ts
 * import { init, noGrad, randn } from "@echojepa/tensor";
 * import { embedClips, parameterCount, VisionTransformer, vitConfig } from "@echojepa/vit";
 *
 * await init();
 * console.log(parameterCount(vitConfig("large"))); // 303885312
 * const model = new VisionTransformer(vitConfig({ embedDim: 48, depth: 2, numHeads: 4 }));
 * const clips = randn([2, 3, 4, 32, 32]); // [B, C, T, H, W]
 * const tokens = noGrad(() => model.forward(clips)); // [2, 8, 48]: (T/2)·(H/16)·(W/16) tokens
 * const pooled = await embedClips(model, clips); // [2, 48]
 * console.log(tokens.shape, pooled.shape);
 * ```
 */
export * from "./config.ts";
export * from "./patchify.ts";
export * from "./rope.ts";
export * from "./sincos.ts";
export * from "./patch_embed.ts";
export * from "./attention.ts";
export * from "./mlp.ts";
export * from "./block.ts";
export * from "./init.ts";
export * from "./vision_transformer.ts";
export * from "./checkpoint.ts";
export * from "./weights_check.ts";
export * from "./hf_names.ts";
export * from "./embed.ts";
