/**
 * Multi-block 3-D masking for V-JEPA pretraining, as the reference's `MaskCollator` / `_MaskGenerator`
 * (`src/masks/multiseq_multiblock3d.py`).
 *
 * For each mask generator and each batch:
 * 1. one block size (t, h, w) is drawn for the whole batch (temporal scale, spatial scale, aspect ratio);
 * 2. for each sample, `numBlocks` boxes of that size are placed at uniformly random positions and zeroed out of an
 *    all-ones token volume `[Tg, Hg, Wg]`;
 * 3. context = flat indices still 1, target = flat indices 0 (both ascending); an empty context is redrawn;
 * 4. every context list is truncated to the shortest context in the batch (and `maxKeep`), every target list to the
 *    shortest target, keeping the lowest indices, so each stacks into a `[B, K]` index array.
 *
 * Randomness is a pure function of `(seed, generator index, step)`, so a resumed run draws the same masks as an
 * uninterrupted one without saving any collator state. (The reference seeds the block size from a per-generator
 * counter and draws positions from the global RNG; the distribution is the same.)
 *
 * @module
 */

import { Random } from "@echojepa/core";

/** One mask generator ("mask set"), the reference's `mask:` config entry. */
export interface MaskGeneratorConfig {
  /** Boxes per sample (short-range 8, long-range 2). */
  numBlocks: number;
  /** Fraction of the H×W token plane one box covers, drawn uniformly from [min, max]. */
  spatialScale: [number, number];
  /** Fraction of the tubelets one box spans, drawn uniformly from [min, max] (1.0: a tube through all time). */
  temporalScale: [number, number];
  /** Box aspect ratio h/w, drawn uniformly from [min, max]. */
  aspectRatio: [number, number];
  /** Context may only use the first `ceil(Tg · maxTemporalKeep)` tubelets (1.0: all). */
  maxTemporalKeep?: number;
  /** Cap on context tokens per sample after truncation (null: no cap). */
  maxKeep?: number | null;
}

/** The two generators of V-JEPA 1, V-JEPA 2 and EchoJEPA (every pretraining and cooldown config). */
export const REFERENCE_MASK_GENERATORS: readonly MaskGeneratorConfig[] = [
  // short-range: 8 small tubes
  { numBlocks: 8, spatialScale: [0.15, 0.15], temporalScale: [1, 1], aspectRatio: [0.75, 1.5] },
  // long-range: 2 large tubes
  { numBlocks: 2, spatialScale: [0.7, 0.7], temporalScale: [1, 1], aspectRatio: [0.75, 1.5] },
];

/** Token grid the masks are drawn on: tubelets × patch rows × patch columns. */
export interface MaskGrid {
  /** Tubelets along time (frames / tubelet). */
  t: number;
  /** Patch rows (crop / patch). */
  h: number;
  /** Patch columns (crop / patch). */
  w: number;
}

/** A block size shared by the whole batch for one generator. */
export interface BlockSize {
  /** Tubelets. */
  t: number;
  /** Patch rows. */
  h: number;
  /** Patch columns. */
  w: number;
}

/** The masks of one generator for one batch: `[B, K]` token indices, row-major, ascending within each row. */
export interface MaskSet {
  /** Context (visible) token indices, `batchSize × contextLength`. */
  context: Int32Array;
  /** Target (masked, to predict) token indices, `batchSize × targetLength`. */
  target: Int32Array;
  /** Context tokens per sample (after min-keep truncation). */
  contextLength: number;
  /** Target tokens per sample (after min-keep truncation). */
  targetLength: number;
  /** Samples. */
  batchSize: number;
  /** The block size drawn for this batch. */
  block: BlockSize;
  /** How many samples had to be redrawn because every token was masked. */
  resampled: number;
}

/**
 * Draws one block size from a generator's scale ranges (the reference's `_sample_block_size`):
 * `t = max(1, int(Tg·s_t))`, `keep = int(Hg·Wg·s_s)`, `h = round(√(keep·ar))`, `w = round(√(keep/ar))`, clipped to
 * the grid.
 */
export function sampleBlockSize(rng: Random, grid: MaskGrid, config: MaskGeneratorConfig): BlockSize {
  const st = rng.uniform(config.temporalScale[0], config.temporalScale[1]);
  const t = Math.max(1, Math.floor(grid.t * st));
  const ss = rng.uniform(config.spatialScale[0], config.spatialScale[1]);
  const keep = Math.floor(grid.h * grid.w * ss);
  const ar = rng.uniform(config.aspectRatio[0], config.aspectRatio[1]);
  // Python's round() is half-to-even; with irrational square roots ties do not occur in practice.
  const h = Math.min(grid.h, Math.max(1, Math.round(Math.sqrt(keep * ar))));
  const w = Math.min(grid.w, Math.max(1, Math.round(Math.sqrt(keep / ar))));
  return { t: Math.min(t, grid.t), h, w };
}

/** One sample's keep volume (1 = visible) after zeroing `numBlocks` boxes of `block` at random positions. */
export function sampleKeepVolume(
  rng: Random,
  grid: MaskGrid,
  block: BlockSize,
  config: MaskGeneratorConfig,
): Uint8Array {
  const keep = new Uint8Array(grid.t * grid.h * grid.w).fill(1);
  const plane = grid.h * grid.w;
  for (let b = 0; b < config.numBlocks; b++) {
    // Upper bounds inclusive, as torch.randint(0, n − size + 1).
    const top = rng.int(0, grid.h - block.h);
    const left = rng.int(0, grid.w - block.w);
    const start = rng.int(0, grid.t - block.t);
    for (let t = start; t < start + block.t; t++) {
      for (let y = top; y < top + block.h; y++) {
        keep.fill(0, t * plane + y * grid.w + left, t * plane + y * grid.w + left + block.w);
      }
    }
  }
  const maxContextT = Math.ceil(grid.t * (config.maxTemporalKeep ?? 1));
  if (maxContextT < grid.t) keep.fill(0, maxContextT * plane);
  return keep;
}

/** Draws the masks of one generator for a batch (block size shared, positions per sample, min-keep truncation). */
export function sampleMaskSet(
  rng: Random,
  grid: MaskGrid,
  config: MaskGeneratorConfig,
  batchSize: number,
): MaskSet {
  validateGenerator(config, grid);
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new RangeError(`sampleMaskSet: batchSize must be a positive integer, got ${batchSize}`);
  }
  const block = sampleBlockSize(rng, grid, config);
  const contexts: number[][] = [];
  const targets: number[][] = [];
  let resampled = 0;
  for (let i = 0; i < batchSize; i++) {
    for (let attempt = 0;; attempt++) {
      if (attempt > 1000) {
        throw new Error(
          `sampleMaskSet: ${config.numBlocks} blocks of ${block.t}×${block.h}×${block.w} always cover the whole ` +
            `${grid.t}×${grid.h}×${grid.w} grid; lower numBlocks or spatialScale`,
        );
      }
      const keep = sampleKeepVolume(rng, grid, block, config);
      const ctx: number[] = [];
      const tgt: number[] = [];
      for (let k = 0; k < keep.length; k++) (keep[k] ? ctx : tgt).push(k);
      if (ctx.length === 0) {
        resampled++;
        continue;
      }
      contexts.push(ctx);
      targets.push(tgt);
      break;
    }
  }
  let contextLength = Math.min(...contexts.map((c) => c.length));
  if (config.maxKeep != null) contextLength = Math.min(contextLength, config.maxKeep);
  const targetLength = Math.min(...targets.map((t) => t.length));
  if (targetLength === 0) {
    throw new Error(
      `sampleMaskSet: a sample has no masked token (block ${block.t}×${block.h}×${block.w} on grid ` +
        `${grid.t}×${grid.h}×${grid.w}); nothing to predict`,
    );
  }
  const context = new Int32Array(batchSize * contextLength);
  const target = new Int32Array(batchSize * targetLength);
  for (let i = 0; i < batchSize; i++) {
    context.set(contexts[i].slice(0, contextLength), i * contextLength);
    target.set(targets[i].slice(0, targetLength), i * targetLength);
  }
  return { context, target, contextLength, targetLength, batchSize, block, resampled };
}

function validateGenerator(c: MaskGeneratorConfig, grid: MaskGrid): void {
  if (!(Number.isInteger(c.numBlocks) && c.numBlocks > 0)) {
    throw new RangeError(`mask generator: numBlocks must be a positive integer, got ${c.numBlocks}`);
  }
  for (const key of ["spatialScale", "temporalScale", "aspectRatio"] as const) {
    const [lo, hi] = c[key];
    if (!(lo > 0 && hi >= lo) || (key !== "aspectRatio" && hi > 1)) {
      throw new RangeError(
        `mask generator: ${key} must be 0 < min ≤ max${
          key === "aspectRatio" ? "" : " ≤ 1"
        }, got [${lo}, ${hi}]`,
      );
    }
  }
  for (const [k, v] of Object.entries(grid)) {
    if (!(Number.isInteger(v) && v > 0)) {
      throw new RangeError(`mask grid: ${k} must be a positive integer, got ${v}`);
    }
  }
}

/**
 * The V-JEPA multi-block mask collator: several generators, each giving a context/target pair per batch.
 *
 * @example
 * ```ts
 * import { MultiBlockMaskCollator } from "@echojepa/jepa";
 * const collator = new MultiBlockMaskCollator({ t: 8, h: 14, w: 14 }, { seed: 1 });
 * const [shortRange, longRange] = collator.sample(4, 0);
 * console.log(shortRange.contextLength, longRange.targetLength);
 * ```
 */
export class MultiBlockMaskCollator {
  /** The token grid. */
  readonly grid: MaskGrid;
  /** The generators, in order. */
  readonly generators: readonly MaskGeneratorConfig[];
  /** Base seed. */
  readonly seed: number;

  constructor(
    grid: MaskGrid,
    { generators = REFERENCE_MASK_GENERATORS, seed = 0 }: {
      generators?: readonly MaskGeneratorConfig[];
      seed?: number;
    } = {},
  ) {
    if (generators.length === 0) throw new RangeError("MultiBlockMaskCollator: needs at least one generator");
    for (const g of generators) validateGenerator(g, grid);
    this.grid = { ...grid };
    this.generators = generators.map((g) => ({ ...g }));
    this.seed = seed;
  }

  /** Tokens in the full grid. */
  get tokenCount(): number {
    return this.grid.t * this.grid.h * this.grid.w;
  }

  /** The masks of every generator for the batch of training step `step` (deterministic in seed and step). */
  sample(batchSize: number, step: number): MaskSet[] {
    return this.generators.map((g, j) =>
      sampleMaskSet(Random.from(this.seed, "multiblock", j, step), this.grid, g, batchSize)
    );
  }
}
