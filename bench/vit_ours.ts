/**
 * W2 with this project's tensor package: a ViT-Tiny video encoder training step (tubelet patch embedding, 12
 * pre-norm blocks, exact GELU, final LayerNorm, L1 loss to a fixed target, backward, AdamW).
 */
import {
  AdamW,
  add,
  attention,
  backward,
  gelu,
  l1Loss,
  LayerNorm,
  Linear,
  Module,
  permute,
  reshape,
  setInitSeed,
  slice,
  type Tensor,
  tensor,
  tidy,
} from "@echojepa/tensor";
import { type ClipBatchShape, patchGrid, sincosPositions, W2 } from "./w2_config.ts";

class Attention extends Module {
  qkv: Linear;
  proj: Linear;
  constructor(readonly dim: number, readonly heads: number) {
    super();
    this.qkv = new Linear(dim, 3 * dim);
    this.proj = new Linear(dim, dim);
  }
  forward(x: Tensor): Tensor {
    const [b, n] = x.shape;
    const dh = this.dim / this.heads;
    const qkv = permute(reshape(this.qkv.forward(x), [b, n, 3, this.heads, dh]), [2, 0, 3, 1, 4]);
    const [q, k, v] = [0, 1, 2].map((i) => reshape(slice(qkv, 0, i, i + 1), [b, this.heads, n, dh]));
    const o = attention(q, k, v);
    return this.proj.forward(reshape(permute(o, [0, 2, 1, 3]), [b, n, this.dim]));
  }
}

class Block extends Module {
  norm1: LayerNorm;
  attn: Attention;
  norm2: LayerNorm;
  fc1: Linear;
  fc2: Linear;
  constructor(dim: number, heads: number, mlpRatio: number) {
    super();
    this.norm1 = new LayerNorm(dim, { eps: 1e-6 });
    this.attn = new Attention(dim, heads);
    this.norm2 = new LayerNorm(dim, { eps: 1e-6 });
    this.fc1 = new Linear(dim, dim * mlpRatio);
    this.fc2 = new Linear(dim * mlpRatio, dim);
  }
  forward(x: Tensor): Tensor {
    const h = add(x, this.attn.forward(this.norm1.forward(x)));
    return add(h, this.fc2.forward(gelu(this.fc1.forward(this.norm2.forward(h)))));
  }
}

class VideoViT extends Module {
  patchEmbed: Linear;
  blocks: Block[];
  norm: LayerNorm;
  _pos: Tensor;
  constructor(readonly clip: ClipBatchShape) {
    super();
    const { tokens, patchValues } = patchGrid(clip);
    this.patchEmbed = new Linear(patchValues, W2.dim);
    this.blocks = Array.from({ length: W2.depth }, () => new Block(W2.dim, W2.heads, W2.mlpRatio));
    this.norm = new LayerNorm(W2.dim, { eps: 1e-6 });
    this._pos = tensor(sincosPositions(tokens, W2.dim), [tokens, W2.dim]);
  }
  /** clips [B, T, H, W, C] → tokens [B, N, dim]. */
  forward(clips: Tensor): Tensor {
    const [b] = clips.shape;
    const { t, h, w, tokens, patchValues } = patchGrid(this.clip);
    const { tubelet, patch, channels } = W2;
    // [B·T/2, 2, H/16, 16, W/16, 16·C] → [B·T/2, H/16, W/16, 2, 16, 16·C]: one row of 1536 values per tubelet.
    const grouped = reshape(clips, [b * t, tubelet, h, patch, w, patch * channels]);
    const patches = reshape(permute(grouped, [0, 2, 4, 1, 3, 5]), [b, tokens, patchValues]);
    let x = add(this.patchEmbed.forward(patches), this._pos);
    for (const blk of this.blocks) x = blk.forward(x);
    return this.norm.forward(x);
  }
}

/** Builds the model, data and optimizer; returns a function that runs one training step and resolves when done. */
export function setupVitOurs(clip: ClipBatchShape, data: { clips: Float32Array; target: Float32Array }): {
  step: () => Promise<number>;
  parameterCount: number;
} {
  setInitSeed(0);
  const model = new VideoViT(clip);
  const params = model.parameters();
  const opt = new AdamW(params, { lr: 1e-4, weightDecay: 0.05 });
  const { tokens } = patchGrid(clip);
  const clips = tensor(data.clips, [clip.batch, clip.frames, clip.height, clip.width, W2.channels]);
  const target = tensor(data.target, [clip.batch, tokens, W2.dim]);
  const step = async (): Promise<number> => {
    const loss = tidy(() => {
      const l = l1Loss(model.forward(clips), target);
      backward(l);
      opt.step();
      opt.zeroGrad();
      return l;
    });
    const value = await loss.item();
    loss.dispose();
    return value;
  };
  return { step, parameterCount: params.reduce((s, p) => s + p.size, 0) };
}
