/**
 * @module
 * @echojepa/vit — the V-JEPA 2 / EchoJEPA video Vision Transformer on @echojepa/tensor (under construction).
 *
 * ```ts
 * import { parameterCount, vitConfig } from "@echojepa/vit";
 * console.log(parameterCount(vitConfig("large"))); // 303885312
 * ```
 */
export * from "./config.ts";
export * from "./patchify.ts";
export * from "./rope.ts";
export * from "./sincos.ts";
