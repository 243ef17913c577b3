/**
 * The multi-view attentive probe (EchoJEPA §"Multi-View Attentive Probing"): a study is V views × C clips ("slots",
 * view-major: slot s ↔ view s / C, clip s mod C), each clip encoded independently by the frozen encoder. Early
 * fusion concatenates all slots' tokens and lets one attentive probe read them, after adding a factorised stream
 * embedding (view embedding + clip embedding, (V + C)·D parameters) to every token of a slot. Missing views are
 * masked out of attention with a key-padding mask, and view dropout hides each present view with probability 0.10
 * during training (at least one view kept). Late fusion (the ablation) applies the probe to each slot alone and
 * averages the predictions of present slots.
 */

import {
  add,
  broadcastTo,
  div,
  Module,
  mul,
  parameter,
  randn,
  reshape,
  sum,
  type Tensor,
  tensor,
} from "@echojepa/tensor";
import type { Random } from "@echojepa/core";
import { AttentiveProbe, type AttentiveProbeOptions } from "./attentive_probe.ts";

/** An `nn.Embedding`-style table named `weight`, initialised N(0, 1) as PyTorch does. */
export class Embedding extends Module {
  /** `[rows, D]`. */
  weight: Tensor;
  constructor(rows: number, dim: number, seed: number) {
    super();
    this.weight = parameter(randn([rows, dim], 1, 0, { seed }));
  }
}

/** Options of {@link MultiViewProbe}. */
export interface MultiViewProbeOptions extends AttentiveProbeOptions {
  /** Views per study (V). */
  views: number;
  /** Clips per view (C). */
  clips: number;
  /** "factorized" (view + clip embeddings, the paper's), "slot" (one embedding per slot) or "none" (ablation). */
  streamEmbedding?: "factorized" | "slot" | "none";
  /** Late fusion: probe each slot separately and average (ablation). Default false (early fusion). */
  lateFusion?: boolean;
  /** Seed of the embedding initialisation. */
  seed?: number;
}

/** Attentive probe over the concatenated tokens of V views × C clips. */
export class MultiViewProbe extends AttentiveProbe {
  /** View embedding `[V, D]` (factorised mode). */
  view_embed?: Embedding;
  /** Clip embedding `[C, D]` (factorised mode). */
  clip_embed?: Embedding;
  /** One embedding per slot `[V·C, D]` (slot mode). */
  slot_embed?: Embedding;
  readonly _views: number;
  readonly _clips: number;
  readonly _late: boolean;

  constructor(options: MultiViewProbeOptions) {
    super(options);
    const { dim, views, clips, streamEmbedding = "factorized", lateFusion = false, seed = 0 } = options;
    this._views = views;
    this._clips = clips;
    this._late = lateFusion;
    if (streamEmbedding === "factorized") {
      this.view_embed = new Embedding(views, dim, seed * 2 + 1);
      this.clip_embed = new Embedding(clips, dim, seed * 2 + 2);
    } else if (streamEmbedding === "slot") {
      this.slot_embed = new Embedding(views * clips, dim, seed * 2 + 1);
    }
  }

  /** Slot embeddings `[V·C, D]`, or null without stream embeddings. */
  #streamEmbedding(): Tensor | null {
    const V = this._views;
    const C = this._clips;
    if (this.view_embed && this.clip_embed) {
      const D = this.view_embed.weight.shape[1];
      const v = reshape(this.view_embed.weight, [V, 1, D]);
      const c = reshape(this.clip_embed.weight, [1, C, D]);
      return reshape(add(v, c), [V * C, D]);
    }
    return this.slot_embed ? this.slot_embed.weight : null;
  }

  /**
   * `x [B, V·C, N, D]` slot tokens; `present[b][v]` whether view v of study b exists (missing views' tokens may hold
   * anything, e.g. an encoded black clip). Returns `[B, outputs]`.
   */
  forwardStudy(x: Tensor, present: boolean[][]): Tensor {
    const [B, L, N, D] = x.shape;
    if (L !== this._views * this._clips) {
      throw new RangeError(`MultiViewProbe: ${L} slots given, expected ${this._views}·${this._clips}`);
    }
    if (present.length !== B || present.some((p) => p.length !== this._views)) {
      throw new RangeError(`MultiViewProbe: presence must be [${B}][${this._views}]`);
    }
    const emb = this.#streamEmbedding();
    const tokens = emb ? add(x, reshape(emb, [1, L, 1, D])) : x;
    const slotPresent = present.flatMap((p) =>
      Array.from({ length: L }, (_, s) => (p[Math.floor(s / this._clips)] ? 1 : 0))
    );
    if (this._late) {
      const out = this.forward(reshape(tokens, [B * L, N, D]));
      const k = out.shape[1];
      const w = tensor(slotPresent, [B, L, 1]);
      return div(sum(mul(reshape(out, [B, L, k]), w), 1), sum(w, 1));
    }
    const mask = broadcastTo(tensor(slotPresent, [B, L, 1]), [B, L, N]);
    return this.forward(reshape(tokens, [B, L * N, D]), reshape(mask, [B, L * N]));
  }
}

/**
 * View dropout: each present view is hidden with probability `p`; if that would hide all of a study's views, one of
 * its originally present views is restored at random. Returns a new presence array.
 */
export function viewDropout(present: boolean[][], p: number, rng: Random, minPresent = 1): boolean[][] {
  return present.map((views) => {
    const kept = views.map((v) => v && rng.next() >= p);
    const original = views.flatMap((v, i) => (v ? [i] : []));
    while (kept.filter(Boolean).length < Math.min(minPresent, original.length)) {
      const candidates = original.filter((i) => !kept[i]);
      kept[candidates[rng.below(candidates.length)]] = true;
    }
    return kept;
  });
}
