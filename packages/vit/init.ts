/**
 * Initialisation as the reference's `VisionTransformer.__init__` (training from scratch): every Linear and Conv
 * weight from a truncated normal (std 0.02, cut at ±2 absolute), every bias 0, LayerNorm weight 1 and bias 0, then
 * `_rescale_blocks`: block i's (1-based) `attn.proj.weight` and `mlp.fc2.weight` divided by sqrt(2·i).
 */

import { backend, type Module, Random, type Tensor } from "@echojepa/tensor";

/** The std of the truncated normal (the reference's `init_std`). */
export const INIT_STD = 0.02;

const NORM = /(^|\.)norm\d*\.weight$/;
const RESCALED = /^blocks\.(\d+)\.(attn\.proj|mlp\.fc2)\.weight$/;

/**
 * Overwrites every parameter of `model` in place (tensor identities are kept, so optimisers stay valid).
 * Deterministic: parameter k draws from its own stream seeded by `seed` and k. Fixed tensors (`pos_embed`) are left
 * alone.
 */
export function initializeVitWeights(model: Module, seed = 0): void {
  model.namedParameters().forEach(([name, t], k) => {
    if (!t.requiresGrad) return;
    const data = new Float32Array(t.size);
    if (name.endsWith(".bias")) {
      // zeros
    } else if (NORM.test(name)) {
      data.fill(1);
    } else {
      fillTruncNormal(data, new Random((seed * 100003 + k * 7919 + 1) >>> 0));
      const m = RESCALED.exec(name);
      if (m) {
        const scale = 1 / Math.sqrt(2 * (Number(m[1]) + 1));
        for (let i = 0; i < data.length; i++) data[i] *= scale;
      }
    }
    upload(t, data);
  });
}

function fillTruncNormal(data: Float32Array, r: Random): void {
  for (let i = 0; i < data.length; i++) {
    let v: number;
    do v = INIT_STD * r.normal(); while (v < -2 || v > 2);
    data[i] = v;
  }
}

/** Replaces a tensor's values with host data of the same size. */
export function upload(t: Tensor, data: Float32Array): void {
  if (data.length !== t.size) {
    throw new RangeError(`upload: ${data.length} values for tensor [${t.shape}] of ${t.size}`);
  }
  backend().upload(t.buffer("upload"), data);
}
