/**
 * The video Vision Transformer of V-JEPA 2 / EchoJEPA (the reference's `VisionTransformer` in
 * `src/models/vision_transformer.py`): tubelet embedding → (sin-cos models: + position table) → optional token
 * selection → pre-norm blocks → final LayerNorm. No CLS token. Parameter names equal the reference's state-dict keys.
 */

import {
  add,
  cast,
  concat,
  expectDType,
  gather,
  isGradEnabled,
  keep,
  LayerNorm,
  Module,
  type Tensor,
  tensor,
  tidy,
} from "@echojepa/tensor";
import type { TokenPositions } from "./attention.ts";
import { Block } from "./block.ts";
import {
  tokenCount,
  type TokenGrid,
  tokenGrid,
  type VitConfig,
  vitConfig,
  type VitVariant,
} from "./config.ts";
import { InitSeeds, rescaleBlocks } from "./init.ts";
import { PatchEmbed3D } from "./patch_embed.ts";
import { resizePositionTable, sincos3d } from "./sincos.ts";

/** Options of the {@link VisionTransformer} constructor. */
export interface VisionTransformerOptions {
  /** Seed of the initial weights (default 0): the same seed gives the same weights. */
  seed?: number;
}

/** Options of {@link VisionTransformer.forward}. */
export interface VitForwardOptions {
  /**
   * Kept token indices (i32 `[B, K]`, indices into the full clip's (t, h, w) raster order): the encoder runs on
   * those tokens only, and RoPE gives them their original positions (the reference's `masks`). An array of
   * index tensors runs every mask on the same clips and stacks the results along the batch, mask-major
   * (`[M·B, K, D]`, as the reference concatenates masks); all must have the same K. Indices are not range-checked
   * (that would need a GPU read-back): each must be in 0…N−1 for the clip's N tokens.
   */
  keep?: Tensor | Tensor[];
}

/** The encoder. `forward` maps clips `[B, C, T, H, W]` to tokens `[B, N, D]` (or `[B, K, D]` with `keep`). */
export class VisionTransformer extends Module {
  /** Tubelet embedding (`patch_embed.proj.*`). */
  patch_embed: PatchEmbed3D;
  /** Sin-cos models only: the fixed `[1, N, D]` table for the configured clip size (not trained). */
  pos_embed?: Tensor;
  /** The transformer blocks (`blocks.{i}.*`). */
  blocks: Block[];
  /** Final LayerNorm (`norm.*`). */
  norm: LayerNorm;
  /** The architecture. */
  readonly _config: VitConfig;
  /** Sin-cos tables resized for other clip sizes, by grid. */
  readonly _positionTables: Map<string, Tensor> = new Map();

  /** Builds a model from a configuration or a variant name (`"small"`, `"large"`, `"giant"`, …). */
  constructor(config: VitConfig | VitVariant, { seed = 0 }: VisionTransformerOptions = {}) {
    super();
    const c = vitConfig(config);
    this._config = c;
    const seeds = new InitSeeds(seed);
    this.patch_embed = new PatchEmbed3D(c, seeds.next());
    if (c.positionEncoding === "sincos") {
      const grid = this.#trainingGrid();
      const table = tensor(sincos3d(c.embedDim, grid, c.uniformPower), [1, tokenCount(grid), c.embedDim]);
      this.pos_embed = keep(table);
    }
    this.blocks = Array.from({ length: c.depth }, () => new Block(c, seeds));
    this.norm = new LayerNorm(c.embedDim, { eps: c.layerNormEps });
    rescaleBlocks(this.blocks);
  }

  /** The architecture this model was built with. */
  get config(): VitConfig {
    return this._config;
  }

  /** Encodes clips `[B, C, T, H, W]` into normalised tokens `[B, N, D]` (`[B, K, D]` or `[M·B, K, D]` with keep). */
  forward(video: Tensor, options: VitForwardOptions = {}): Tensor {
    return this.#run(video, options.keep, null)[0];
  }

  /**
   * Like {@link VisionTransformer.forward} but returns the outputs of the given blocks (0-based), each through the
   * final LayerNorm (the reference's `out_layers`), in the order given.
   */
  forwardLayers(video: Tensor, outLayers: number[], options: VitForwardOptions = {}): Tensor[] {
    for (const l of outLayers) {
      if (!Number.isInteger(l) || l < 0 || l >= this.blocks.length) {
        throw new RangeError(
          `forwardLayers: layer ${l} is not a block index of this ${this.blocks.length}-block model`,
        );
      }
    }
    return this.#run(video, options.keep, outLayers);
  }

  #run(video: Tensor, keepIds: Tensor | Tensor[] | undefined, outLayers: number[] | null): Tensor[] {
    const inference = !isGradEnabled();
    const embed = () => {
      let { tokens, grid } = this.patch_embed.forward(video);
      if (this.pos_embed) tokens = add(tokens, this.#positionTable(grid));
      return this.#select(tokens, grid, keepIds);
    };
    // Without a tape, intermediates are freed as soon as they are used: here the patches and ungathered tokens.
    const positions = inference ? tidy(embed) : embed();
    let x = positions.tokens;
    const wanted = new Set(outLayers ?? []);
    const normed = new Map<number, Tensor>();
    this.blocks.forEach((block, i) => {
      const prev = x;
      x = inference ? tidy(() => block.forward(prev, positions)) : block.forward(prev, positions);
      if (inference) prev.dispose();
      if (wanted.has(i)) normed.set(i, this.norm.forward(x));
    });
    const outs = outLayers ? outLayers.map((l) => normed.get(l)!) : [this.norm.forward(x)];
    if (inference) {
      x.dispose();
      if (positions.ids && !(Array.isArray(keepIds) ? keepIds : [keepIds]).includes(positions.ids)) {
        positions.ids.dispose();
      }
    }
    return outs;
  }

  /** Gathers the kept tokens (if any) and returns them with the positions RoPE needs. */
  #select(
    tokens: Tensor,
    grid: TokenGrid,
    keepIds: Tensor | Tensor[] | undefined,
  ): TokenPositions & { tokens: Tensor } {
    if (keepIds === undefined) return { tokens, grid, ids: null };
    const masks = Array.isArray(keepIds) ? keepIds : [keepIds];
    if (masks.length === 0) throw new RangeError("forward: keep is an empty list of index tensors");
    const [B, N] = tokens.shape;
    for (const m of masks) {
      expectDType("forward (keep)", m, "i32");
      if (m.rank !== 2 || m.shape[0] !== B || m.shape[1] !== masks[0].shape[1]) {
        throw new RangeError(
          `forward: keep indices must be i32 [B, K] = [${B}, K] with one K for all masks, got ` +
            masks.map((t) => `[${t.shape}]`).join(", ") + ` (clip has ${N} tokens)`,
        );
      }
    }
    if (masks.length === 1) return { tokens: gather(tokens, masks[0]), grid, ids: masks[0] };
    const gathered = concat(masks.map((m) => gather(tokens, m)), 0);
    // concat copies f32 words; token indices (< 2^24) survive a round trip through f32 exactly.
    const ids = cast(concat(masks.map((m) => cast(m, "f32")), 0), "i32");
    return { tokens: gathered, grid, ids };
  }

  #trainingGrid(): TokenGrid {
    const c = this._config;
    return tokenGrid(c, c.numFrames, c.imageSize, c.imageSize);
  }

  /** The sin-cos table for a clip's grid: the stored one, or (cached) a resized copy. */
  #positionTable(grid: TokenGrid): Tensor {
    const from = this.#trainingGrid();
    if (grid.t === from.t && grid.h === from.h && grid.w === from.w) return this.pos_embed!;
    const key = `${grid.t}x${grid.h}x${grid.w}`;
    let table = this._positionTables.get(key);
    if (!table) {
      const c = this._config;
      // Resized from the formula (the stored table is the same constant; this avoids a GPU read-back).
      const base = sincos3d(c.embedDim, from, c.uniformPower);
      const resized = resizePositionTable(base, c.embedDim, from, grid);
      table = keep(tensor(resized, [1, tokenCount(grid), c.embedDim]));
      this._positionTables.set(key, table);
    }
    return table;
  }

  /** Disposes the parameters and cached position tables. */
  override dispose(): void {
    super.dispose();
    for (const t of this._positionTables.values()) t.dispose();
    this._positionTables.clear();
  }
}
