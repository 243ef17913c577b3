/**
 * The V-JEPA 2 / EchoJEPA predictor (the reference's `VisionTransformerPredictor`, spec §2): a narrow ViT that
 * receives the context tokens of a clip plus one learnable mask token at every target position and predicts the
 * target encoder's features there.
 *
 * Per mask set: `predictor_embed` (D → P) on the context tokens; the mask token placed at each target position;
 * all tokens sorted by their position in the clip; `predictor_blocks` with 3-axis RoPE at those positions;
 * `predictor_norm`; the target tokens picked out; `predictor_proj` (P → D). Parameter names are the reference's
 * predictor keys, so released predictors load by name.
 *
 * Positions follow the encoder's scheme, as the reference's `init_video_model` passes `use_rope` and
 * `uniform_power` to the predictor: with `positionEncoding: "sincos"` the blocks use no RoPE and the fixed 3-D
 * sin-cos table `predictor_pos_embed` (width P) is added to the embedded context tokens and to the mask tokens at
 * their clip positions, as the reference's predictor does when `use_rope` is off.
 *
 * The same module, with its output width set to a tubelet's pixel count, is the pixel-MAE decoder (see `mae.ts`).
 *
 * @module
 */

import {
  add,
  broadcastTo,
  concat,
  gather,
  LayerNorm,
  Linear,
  Module,
  parameter,
  reshape,
  type Tensor,
  tensor,
  zeros,
} from "@echojepa/tensor";
import {
  Block,
  InitSeeds,
  type PositionEncoding,
  rescaleBlocks,
  sincos3d,
  tokenCount,
  type TokenGrid,
  vitConfig,
} from "@echojepa/vit";

/** Sizes of a {@link Predictor}. */
export interface PredictorOptions {
  /** Width of the encoder tokens it reads (D). */
  inputDim: number;
  /** Its own width (reference 384). */
  embedDim: number;
  /** Blocks (reference 12). */
  depth: number;
  /** Heads (reference 12). */
  numHeads: number;
  /** MLP hidden width (default 4 · embedDim). */
  mlpHidden?: number;
  /** Output width (default inputDim: predict encoder features). */
  outputDim?: number;
  /** Learnable mask tokens (reference checkpoints hold 10). */
  numMaskTokens?: number;
  /** LayerNorm epsilon (reference 1e-6). */
  layerNormEps?: number;
  /** Seed of the initial weights. */
  seed?: number;
  /** The encoder's position scheme (default "rope"); "sincos" adds the fixed `predictor_pos_embed` table. */
  positionEncoding?: PositionEncoding;
  /** The sin-cos table's split of dims over (t, h, w), as the encoder's `uniformPower` (default true). */
  uniformPower?: boolean;
}

/** Where the context and target tokens of one mask set sit in the clip (host arrays, `[B, K]` row-major). */
export interface PredictorMasks {
  /** Context token indices, `batchSize × contextLength`, ascending per row. */
  context: Int32Array;
  /** Target token indices, `batchSize × targetLength`, ascending per row. */
  target: Int32Array;
  /** Context tokens per sample. */
  contextLength: number;
  /** Target tokens per sample. */
  targetLength: number;
  /** Samples. */
  batchSize: number;
}

/** Host-computed index arrays that sort context+target tokens by position and pick the targets back out. */
export interface SortPlan {
  /** For each sorted slot, its index in `concat([context, targets])`, `[B, Nc+Nt]`. */
  order: Int32Array;
  /** The clip position of each sorted slot (RoPE positions), `[B, Nc+Nt]`. */
  sortedIds: Int32Array;
  /** For each target, its slot in the sorted sequence, `[B, Nt]`. */
  targetSlots: Int32Array;
}

/**
 * Merges each sample's context and target index lists (both ascending) into one ascending sequence, recording where
 * every token goes. Equivalent to the reference's argsort of the concatenated indices.
 */
export function sortPlan(m: PredictorMasks): SortPlan {
  const { batchSize: B, contextLength: Nc, targetLength: Nt } = m;
  const N = Nc + Nt;
  const order = new Int32Array(B * N);
  const sortedIds = new Int32Array(B * N);
  const targetSlots = new Int32Array(B * Nt);
  for (let b = 0; b < B; b++) {
    let i = 0;
    let j = 0;
    for (let s = 0; s < N; s++) {
      const ctx = i < Nc ? m.context[b * Nc + i] : Infinity;
      const tgt = j < Nt ? m.target[b * Nt + j] : Infinity;
      if (ctx === tgt) throw new Error(`sortPlan: token ${ctx} of sample ${b} is both context and target`);
      if (ctx < tgt) {
        order[b * N + s] = i++;
        sortedIds[b * N + s] = ctx;
      } else {
        targetSlots[b * Nt + j] = s;
        order[b * N + s] = Nc + j++;
        sortedIds[b * N + s] = tgt;
      }
    }
  }
  return { order, sortedIds, targetSlots };
}

/** The predictor. */
export class Predictor extends Module {
  /** Context tokens D → P (`predictor_embed.*`). */
  predictor_embed: Linear;
  /** Learnable mask tokens, each `[1, 1, P]`, zero-initialised (`mask_tokens.{i}`). */
  mask_tokens: Tensor[];
  /** The blocks (`predictor_blocks.{i}.*`). */
  predictor_blocks: Block[];
  /** Final LayerNorm (`predictor_norm.*`). */
  predictor_norm: LayerNorm;
  /** P → output width (`predictor_proj.*`). */
  predictor_proj: Linear;
  readonly _options: Required<PredictorOptions>;

  constructor(options: PredictorOptions) {
    super();
    const o: Required<PredictorOptions> = {
      mlpHidden: 4 * options.embedDim,
      outputDim: options.inputDim,
      numMaskTokens: 1,
      layerNormEps: 1e-6,
      seed: 0,
      positionEncoding: "rope",
      uniformPower: true,
      ...options,
    };
    this._options = o;
    const blockConfig = vitConfig({
      embedDim: o.embedDim,
      depth: o.depth,
      numHeads: o.numHeads,
      mlpHidden: o.mlpHidden,
      layerNormEps: o.layerNormEps,
      positionEncoding: o.positionEncoding,
    });
    // The reference's initialisation: Linear weights from a truncated normal (std 0.02; each from its own seed of
    // `o.seed`), biases 0, LayerNorm 1/0, zero mask tokens (`zero_init_mask_tokens`), then block i's (1-based)
    // `attn.proj` and `mlp.fc2` weights divided by √(2i).
    const seeds = new InitSeeds(o.seed);
    this.predictor_embed = new Linear(o.inputDim, o.embedDim, { seed: seeds.next() });
    this.mask_tokens = Array.from({ length: o.numMaskTokens }, () => parameter(zeros([1, 1, o.embedDim])));
    this.predictor_blocks = Array.from({ length: o.depth }, () => new Block(blockConfig, seeds));
    this.predictor_norm = new LayerNorm(o.embedDim, { eps: o.layerNormEps });
    this.predictor_proj = new Linear(o.embedDim, o.outputDim, { seed: seeds.next() });
    rescaleBlocks(this.predictor_blocks);
  }

  /**
   * Predicts the target tokens of one mask set: `context [B, Nc, D]` (the encoder's output on the context tokens)
   * → `[B, Nt, outputDim]`, in the order of `masks.target`. `grid` is the clip's token grid (RoPE positions);
   * `maskIndex` picks the mask token (the reference uses 0 with one frames-per-clip group).
   */
  forward(context: Tensor, masks: PredictorMasks, grid: TokenGrid, maskIndex = 0): Tensor {
    const { batchSize: B, contextLength: Nc, targetLength: Nt } = masks;
    const P = this._options.embedDim;
    if (context.rank !== 3 || context.shape[0] !== B || context.shape[1] !== Nc) {
      throw new RangeError(
        `Predictor.forward: context [${context.shape}] does not match the masks (B ${B}, ${Nc} context tokens)`,
      );
    }
    if (context.shape[2] !== this._options.inputDim) {
      throw new RangeError(
        `Predictor.forward: context width ${context.shape[2]}, expected ${this._options.inputDim}`,
      );
    }
    const plan = sortPlan(masks);
    const token = this.mask_tokens[maskIndex % this.mask_tokens.length];
    const ctx = this.predictor_embed.forward(context);
    const targets = broadcastTo(reshape(token, [1, 1, P]), [B, Nt, P]);
    const joined = concat([ctx, targets], 1);
    const sorted = gather(joined, tensor(plan.order, [B, Nc + Nt], "i32"));
    const ids = tensor(plan.sortedIds, [B, Nc + Nt], "i32");
    let x = this._options.positionEncoding === "sincos"
      ? add(sorted, this.#sortedPositions(plan, B, grid))
      : sorted;
    for (const block of this.predictor_blocks) x = block.forward(x, { grid, ids });
    x = this.predictor_norm.forward(x);
    const picked = gather(x, tensor(plan.targetSlots, [B, Nt], "i32"));
    return this.predictor_proj.forward(picked);
  }

  /**
   * `predictor_pos_embed` rows at each sorted slot's clip position, `[B, Nc+Nt, P]`. Adding them after the sort
   * equals the reference's adding them to the context and mask tokens before it (same rows, permuted).
   */
  #sortedPositions(plan: SortPlan, batchSize: number, grid: TokenGrid): Tensor {
    const P = this._options.embedDim;
    const key = `${grid.t}x${grid.h}x${grid.w}`;
    if (this.#tableKey !== key) {
      this.#table = sincos3d(P, grid, this._options.uniformPower);
      this.#tableKey = key;
    }
    const table = this.#table!;
    const n = tokenCount(grid);
    const slots = plan.sortedIds.length / batchSize;
    const out = new Float32Array(batchSize * slots * P);
    for (let s = 0; s < plan.sortedIds.length; s++) {
      const id = plan.sortedIds[s];
      if (id < 0 || id >= n) throw new RangeError(`Predictor: token ${id} outside the ${key} grid`);
      out.set(table.subarray(id * P, (id + 1) * P), s * P);
    }
    return tensor(out, [batchSize, slots, P]);
  }

  /** The sin-cos table for the last grid seen (host, `[N, P]`), and that grid. */
  #table: Float32Array | null = null;
  #tableKey = "";
}
