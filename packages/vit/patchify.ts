/**
 * Tubelet patchify: the data movement half of the reference's `PatchEmbed3D` (a Conv3d whose kernel equals its
 * stride is a linear map applied to non-overlapping patches).
 */

import { expectDType, permute, reshape, type Tensor } from "@echojepa/tensor";
import { type TokenGrid, tokenGrid, type VitConfig } from "./config.ts";

/**
 * Cuts clips `[B, C, T, H, W]` into tubelet patches `[B, N, C·tubelet·patch·patch]`.
 *
 * Tokens come out in (t, h, w) raster order (time slowest, width fastest), as the reference's
 * `conv(x).flatten(2).transpose(1, 2)`. Each patch is flattened in (channel, frame, row, column) order, which is the
 * order of the Conv3d weight `[D, C, tubelet, patch, patch]` flattened to `[D, C·tubelet·patch·patch]`, so
 * `linear(patches, weight.view([D, −1]), bias)` is the convolution.
 */
export function patchify(video: Tensor, config: VitConfig): { patches: Tensor; grid: TokenGrid } {
  expectDType("patchify", video, "f32");
  if (video.rank !== 5 || video.shape[1] !== config.inChannels) {
    throw new RangeError(
      `patchify: expected a clip batch [B, ${config.inChannels}, T, H, W], got [${video.shape}]`,
    );
  }
  const [B, C, T, H, W] = video.shape;
  const grid = tokenGrid(config, T, H, W);
  const ts = config.tubeletSize;
  const ps = config.patchSize;
  const split = reshape(video, [B, C, grid.t, ts, grid.h, ps, grid.w, ps]);
  // → [B, t, h, w, C, ts, ps, ps]
  const moved = permute(split, [0, 2, 4, 6, 1, 3, 5, 7]);
  const patches = reshape(moved, [B, grid.t * grid.h * grid.w, C * ts * ps * ps]);
  return { patches, grid };
}
