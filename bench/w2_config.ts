/** The W2 workload's configuration (issue 2): ViT-Tiny on 16×112×112×3 clips, tubelet 2×16×16. */

import { Random } from "@echojepa/core";

/** Model hyper-parameters shared by our model and the TF.js peer. */
export const W2 = {
  dim: 192,
  depth: 12,
  heads: 3,
  mlpRatio: 4,
  tubelet: 2,
  patch: 16,
  channels: 3,
} as const;

/** Input clip batch shape. */
export interface ClipBatchShape {
  batch: number;
  frames: number;
  height: number;
  width: number;
}

/** The clip batch: 2 clips of 16 frames at 112×112. */
export const W2_CLIPS: ClipBatchShape = { batch: 2, frames: 16, height: 112, width: 112 };

/** Token grid of a clip shape: temporal × spatial patches, tokens per clip and values per patch. */
export function patchGrid(
  c: ClipBatchShape,
): { t: number; h: number; w: number; tokens: number; patchValues: number } {
  const t = c.frames / W2.tubelet;
  const h = c.height / W2.patch;
  const w = c.width / W2.patch;
  return { t, h, w, tokens: t * h * w, patchValues: W2.tubelet * W2.patch * W2.patch * W2.channels };
}

/** A fixed 1-D sine–cosine position table [tokens, dim] (the workload only needs a constant added per token). */
export function sincosPositions(tokens: number, dim: number): Float32Array {
  const out = new Float32Array(tokens * dim);
  for (let n = 0; n < tokens; n++) {
    for (let i = 0; i < dim / 2; i++) {
      const f = n / 10000 ** (i / (dim / 2));
      out[n * dim + i] = Math.sin(f);
      out[n * dim + dim / 2 + i] = Math.cos(f);
    }
  }
  return out;
}

/** Seeded uniform data in [-1, 1). */
export function seededData(n: number, seed: number): Float32Array {
  const random = new Random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = random.next() * 2 - 1;
  return out;
}

/** Clips and target of the W2 step, identical for both implementations. */
export function w2Data(c: ClipBatchShape): { clips: Float32Array; target: Float32Array } {
  const { tokens } = patchGrid(c);
  return {
    clips: seededData(c.batch * c.frames * c.height * c.width * W2.channels, 1),
    target: seededData(c.batch * tokens * W2.dim, 2),
  };
}
