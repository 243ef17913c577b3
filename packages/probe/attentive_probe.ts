/**
 * The attentive probe of V-JEPA / EchoJEPA (`AttentivePooler` + `AttentiveClassifier`/`AttentiveRegressor`).
 *
 * One learnable query token reads the frozen encoder's tokens: `depth − 1` self-attention blocks refine the tokens
 * (no RoPE, LayerNorm eps 1e-5), then one cross-attention block pools them into the query, and a linear head maps the
 * query to class logits or regression targets. Missing tokens (padding, absent views) are excluded with a key-padding
 * mask in every attention. Parameter names are the reference's probe checkpoint keys (`pooler.query_tokens`,
 * `pooler.blocks.i.*`, `pooler.cross_attention_block.{norm1,xattn.q,xattn.kv,norm2,mlp}.*`, `linear.*` or
 * `regressor.*`).
 */

import {
  add,
  assign,
  attention,
  broadcastTo,
  LayerNorm,
  Linear,
  linear,
  matmul,
  mean,
  Module,
  mul,
  noGrad,
  permute,
  reshape,
  slice,
  softmax,
  type Tensor,
  truncNormalParameter,
  where,
} from "@echojepa/tensor";
import { Block, Mlp, vitConfig } from "@echojepa/vit";

/** Cross-attention from queries to tokens: separate `q` and `kv` projections, no output projection. */
export class CrossAttention extends Module {
  /** Query projection `[D, D]`. */
  q: Linear;
  /** Key/value projection `[2D, D]` (rows 0…D−1 keys, D…2D−1 values). */
  kv: Linear;
  readonly _heads: number;

  constructor(dim: number, numHeads: number) {
    super();
    if (dim % numHeads !== 0) {
      throw new RangeError(`CrossAttention: dim ${dim} does not divide into ${numHeads} heads`);
    }
    this._heads = numHeads;
    this.q = new Linear(dim, dim);
    this.kv = new Linear(dim, 2 * dim);
  }

  /** `query [B, Q, D]` attends to `x [B, N, D]`; `keyPaddingMask [B, N]` non-zero = attend. */
  forward(query: Tensor, x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    const [B, Q, D] = query.shape;
    const { q, k, v } = this.#heads(query, x);
    const o = attention(q, k, v, { keyPaddingMask: keyPaddingMask ?? undefined });
    return reshape(permute(o, [0, 2, 1, 3]), [B, Q, D]);
  }

  /**
   * The attention weights `[B, H, Q, N]` that {@link forward} applies (each row sums to 1 over the unmasked
   * tokens), computed explicitly for inspection; training uses the fused kernel, which never materialises them.
   */
  weights(query: Tensor, x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    const [B, , D] = query.shape;
    const N = x.shape[1];
    const { q, k } = this.#heads(query, x);
    let logits = mul(matmul(q, k, { transB: true }), 1 / Math.sqrt(D / this._heads));
    if (keyPaddingMask) logits = where(reshape(keyPaddingMask, [B, 1, 1, N]), logits, -Infinity);
    return softmax(logits, -1);
  }

  /** Per-head queries `[B, H, Q, hd]`, keys and values `[B, H, N, hd]`. */
  #heads(query: Tensor, x: Tensor): { q: Tensor; k: Tensor; v: Tensor } {
    const [B, Q, D] = query.shape;
    const N = x.shape[1];
    const H = this._heads;
    const hd = D / H;
    const q = permute(reshape(linear(query, this.q.weight, this.q.bias), [B, Q, H, hd]), [0, 2, 1, 3]);
    const kv = permute(reshape(linear(x, this.kv.weight, this.kv.bias), [B, N, 2, H, hd]), [2, 0, 3, 1, 4]);
    const k = reshape(slice(kv, 0, 0, 1), [B, H, N, hd]);
    const v = reshape(slice(kv, 0, 1, 2), [B, H, N, hd]);
    return { q, k, v };
  }
}

/** `q ← q + xattn(q, norm1(x))`, then `q ← q + mlp(norm2(q))`. */
export class CrossAttentionBlock extends Module {
  /** Norm of the tokens before cross-attention. */
  norm1: LayerNorm;
  /** The cross-attention. */
  xattn: CrossAttention;
  /** Norm of the query before the MLP. */
  norm2: LayerNorm;
  /** The MLP. */
  mlp: Mlp;

  constructor(dim: number, numHeads: number, mlpRatio: number) {
    super();
    this.norm1 = new LayerNorm(dim);
    this.xattn = new CrossAttention(dim, numHeads);
    this.norm2 = new LayerNorm(dim);
    this.mlp = new Mlp(dim, Math.floor(dim * mlpRatio));
  }

  /** Updates the queries `[B, Q, D]` from tokens `[B, N, D]`. */
  forward(q: Tensor, x: Tensor, keyPaddingMask: Tensor | null): Tensor {
    const h = add(q, this.xattn.forward(q, this.norm1.forward(x), keyPaddingMask));
    return add(h, this.mlp.forward(this.norm2.forward(h)));
  }
}

/** Options of {@link AttentiveProbe}. */
export interface AttentiveProbeOptions {
  /** Token width D of the encoder. */
  dim: number;
  /** Output size: number of classes, or regression targets. */
  outputs: number;
  /** "classifier" (head named `linear`) or "regressor" (head named `regressor`). */
  kind: "classifier" | "regressor";
  /** Blocks in total: depth − 1 self-attention + 1 cross-attention (reference ICML protocol: 4). */
  depth?: number;
  /** Attention heads (reference: 16; must divide D). */
  numHeads?: number;
  /** MLP hidden = floor(D · ratio) (reference: 4). */
  mlpRatio?: number;
}

/** The pooling part: a query token, self-attention blocks, one cross-attention block. */
export class AttentivePooler extends Module {
  /** The learnable query `[1, 1, D]`. */
  query_tokens: Tensor;
  /** `depth − 1` self-attention blocks over the tokens. */
  blocks: Block[];
  /** Pools the tokens into the query. */
  cross_attention_block: CrossAttentionBlock;

  constructor(dim: number, depth: number, numHeads: number, mlpRatio: number) {
    super();
    this.query_tokens = truncNormalParameter([1, 1, dim], 0.02);
    const config = vitConfig(
      { embedDim: dim, depth: Math.max(depth - 1, 1), numHeads, mlpHidden: Math.floor(dim * mlpRatio) },
      { layerNormEps: 1e-5, positionEncoding: "sincos" },
    );
    this.blocks = Array.from({ length: depth - 1 }, () => new Block(config));
    this.cross_attention_block = new CrossAttentionBlock(dim, numHeads, mlpRatio);
    // The reference rescales the residual branches' output weights by 1/sqrt(2·layer).
    noGrad(() => {
      this.blocks.forEach((b, i) => {
        scaleInPlace(b.attn.proj.weight, 1 / Math.sqrt(2 * (i + 1)));
        scaleInPlace(b.mlp.fc2.weight, 1 / Math.sqrt(2 * (i + 1)));
      });
      scaleInPlace(this.cross_attention_block.mlp.fc2.weight, 1 / Math.sqrt(2 * Math.max(depth - 1, 1)));
    });
  }

  /** Tokens `[B, N, D]` → pooled `[B, D]`. */
  forward(x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    const [B, , D] = x.shape;
    const h = this.#refine(x, keyPaddingMask);
    const q = broadcastTo(this.query_tokens, [B, 1, D]);
    return reshape(this.cross_attention_block.forward(q, h, keyPaddingMask), [B, D]);
  }

  /** Where the query looks: its cross-attention weights over the tokens, averaged over heads, `[B, N]`. */
  attentionMap(x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    const [B, N, D] = x.shape;
    const xattn = this.cross_attention_block;
    const h = xattn.norm1.forward(this.#refine(x, keyPaddingMask));
    const w = xattn.xattn.weights(broadcastTo(this.query_tokens, [B, 1, D]), h, keyPaddingMask);
    return reshape(mean(w, 1), [B, N]);
  }

  #refine(x: Tensor, keyPaddingMask: Tensor | null): Tensor {
    let h = x;
    // The probe's blocks have no RoPE, so they need no token positions.
    for (const block of this.blocks) h = block.forward(h, null, { keyPaddingMask });
    return h;
  }
}

/** An attentive classifier or regressor on frozen tokens. */
export class AttentiveProbe extends Module {
  /** The pooler. */
  pooler: AttentivePooler;
  /** Classifier head `[classes, D]` (classifier only). */
  linear?: Linear;
  /** Regressor head `[targets, D]` (regressor only). */
  regressor?: Linear;

  constructor(options: AttentiveProbeOptions) {
    super();
    const { dim, outputs, kind, depth = 4, numHeads = 16, mlpRatio = 4 } = options;
    if (depth < 1) throw new RangeError(`AttentiveProbe: depth must be ≥ 1, got ${depth}`);
    this.pooler = new AttentivePooler(dim, depth, numHeads, mlpRatio);
    if (kind === "classifier") this.linear = new Linear(dim, outputs);
    else this.regressor = new Linear(dim, outputs);
  }

  /** Tokens `[B, N, D]` (and optional key-padding mask `[B, N]`) → `[B, outputs]`. */
  forward(x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    const pooled = this.pooler.forward(x, keyPaddingMask);
    return (this.linear ?? this.regressor)!.forward(pooled);
  }

  /** The query's attention over the tokens `[B, N]` (mean over heads; see {@link AttentivePooler.attentionMap}). */
  attentionMap(x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    return this.pooler.attentionMap(x, keyPaddingMask);
  }
}

/** Multiplies a parameter's values by `s` in place (keeps the tensor's identity). */
export function scaleInPlace(p: Tensor, s: number): void {
  const t = mul(p, s);
  assign(p, t);
  t.dispose();
}
