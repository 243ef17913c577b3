/**
 * `PatchEmbed3D`: the tubelet embedding of the reference (a Conv3d with kernel = stride = (tubelet, patch, patch)),
 * computed as patchify + one matrix product, with the weight kept in the Conv3d layout so checkpoints load as is.
 */

import {
  linear,
  Module,
  nextInitSeed,
  reshape,
  type Tensor,
  truncNormalParameter,
  zerosParameter,
} from "@echojepa/tensor";
import type { TokenGrid, VitConfig } from "./config.ts";
import { patchify } from "./patchify.ts";

/** Std of the truncated-normal weight initialisation (the reference's `init_std`). */
export const INIT_STD = 0.02;

/** The weights of a Conv3d, in PyTorch's layout (named `proj.weight`, `proj.bias` in the reference). */
export class Conv3dWeights extends Module {
  /** `[out, in, kT, kH, kW]`. */
  weight: Tensor;
  /** `[out]`. */
  bias: Tensor;
  constructor(
    outChannels: number,
    inChannels: number,
    kernel: [number, number, number],
    seed: number = nextInitSeed(),
  ) {
    super();
    this.weight = truncNormalParameter([outChannels, inChannels, ...kernel], INIT_STD, seed);
    this.bias = zerosParameter([outChannels]);
  }
}

/** Clips `[B, C, T, H, W]` → tokens `[B, N, D]` in (t, h, w) raster order. */
export class PatchEmbed3D extends Module {
  /** The Conv3d (`patch_embed.proj.*`). */
  proj: Conv3dWeights;
  readonly _config: VitConfig;
  constructor(config: VitConfig, seed: number = nextInitSeed()) {
    super();
    this._config = config;
    this.proj = new Conv3dWeights(
      config.embedDim,
      config.inChannels,
      [config.tubeletSize, config.patchSize, config.patchSize],
      seed,
    );
  }

  /** Embeds a clip batch; also returns the token grid (RoPE needs its height and width). */
  forward(video: Tensor): { tokens: Tensor; grid: TokenGrid } {
    const { patches, grid } = patchify(video, this._config);
    const w = this.proj.weight;
    const flat = reshape(w, [w.shape[0], w.size / w.shape[0]]);
    return { tokens: linear(patches, flat, this.proj.bias), grid };
  }
}
