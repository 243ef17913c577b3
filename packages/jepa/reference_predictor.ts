/**
 * A plain-TypeScript, float64 predictor written from the reference's `VisionTransformerPredictor.forward`, for tests
 * only (not exported from mod.ts): embed the context, add `predictor_pos_embed` at the context positions when RoPE
 * is off, take mask tokens at the target positions (plus their `predictor_pos_embed` rows when RoPE is off),
 * concatenate, argsort by position, run the blocks (RoPE at the sorted positions when on), `predictor_norm`,
 * un-sort, keep the last Nt tokens, `predictor_proj`. Shares the block loop with the ViT reference, no GPU code.
 */

import { sincos3d, type TokenGrid, type VitConfig } from "@echojepa/vit";
// The ViT's float64 reference is a test helper of that package, not part of its API.
import { type HostParams, layerNorm, linear, referenceBlocks } from "../vit/reference_vit.ts";

/** The reference predictor on `context` `[B, Nc, inputDim]`; returns `[B, Nt, outputDim]` in target order. */
export function referencePredictor(
  blockConfig: VitConfig,
  params: HostParams,
  context: ArrayLike<number>,
  contextIds: number[][],
  targetIds: number[][],
  grid: TokenGrid,
  inputDim: number,
  outputDim: number,
  maskIndex = 0,
): Float64Array {
  const P = blockConfig.embedDim;
  const B = contextIds.length, Nc = contextIds[0].length, Nt = targetIds[0].length, N = Nc + Nt;
  const p = (name: string) => params.get(name)!;
  const sincos = blockConfig.positionEncoding === "sincos";
  const table = sincos ? sincos3d(P, grid, blockConfig.uniformPower) : null;
  const embedded = linear(
    Float64Array.from(context),
    B * Nc,
    inputDim,
    p("predictor_embed.weight"),
    p("predictor_embed.bias"),
    P,
  );
  const token = p(`mask_tokens.${maskIndex}`);
  // x = cat([context, targets]) per sample, with the index tensor cat([masks_x, masks]).
  const joined = new Float64Array(B * N * P);
  const joinedIds: number[][] = [];
  for (let b = 0; b < B; b++) {
    const ids = [...contextIds[b], ...targetIds[b]];
    joinedIds.push(ids);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < P; c++) {
        const value = n < Nc ? embedded[(b * Nc + n) * P + c] : token[c];
        joined[(b * N + n) * P + c] = value + (table ? table[ids[n] * P + c] : 0);
      }
    }
  }
  // argsort by position, gather, blocks, norm, then the inverse permutation and the last Nt tokens.
  const orders = joinedIds.map((ids) => ids.map((_, i) => i).sort((a, b) => ids[a] - ids[b]));
  const sorted = new Float64Array(B * N * P);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < P; c++) sorted[(b * N + n) * P + c] = joined[(b * N + orders[b][n]) * P + c];
    }
  }
  const sortedIds = orders.map((order, b) => order.map((i) => joinedIds[b][i]));
  const blocks = referenceBlocks(blockConfig, params, sorted, sortedIds, grid, "predictor_blocks.");
  const normed = layerNorm(blocks, B * N, P, p("predictor_norm.weight"), p("predictor_norm.bias"), 1e-6);
  const picked = new Float64Array(B * Nt * P);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const original = orders[b][n];
      if (original < Nc) continue;
      for (let c = 0; c < P; c++) picked[(b * Nt + original - Nc) * P + c] = normed[(b * N + n) * P + c];
    }
  }
  return linear(picked, B * Nt, P, p("predictor_proj.weight"), p("predictor_proj.bias"), outputDim);
}
