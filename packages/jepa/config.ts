/**
 * The pretraining configuration: one typed object for data, encoder, predictor (JEPA) or decoder (MAE), masks,
 * optimisation and run bookkeeping, with named presets from a few-minute CPU run (`micro`) to the reference
 * EchoJEPA ViT-L / ViT-g recipes (spec §5).
 *
 * A config file or CLI flags only override what they name; {@link resolveConfig} deep-merges overrides onto a
 * preset and validates the result, naming the offending key.
 *
 * @module
 */

// The config subpath has no imports, so the batch worker that loads this module type-checks without the ViT.
import type { VitConfig } from "@echojepa/vit/config";
import { type MaskGeneratorConfig, REFERENCE_MASK_GENERATORS } from "./mask_collator.ts";
import { NUISANCE_LEVELS, type NuisanceLevel } from "@echojepa/phantom";

/** Which loss trains the encoder. */
export type Objective = "jepa" | "mae";

/** Where clips come from. */
export type DataSource = "phantom" | "manifest";

/** Clip source and augmentation. */
export interface DataConfig {
  /** "phantom": in-memory synthetic echo clips (no files needed); "manifest": a CSV/JSON manifest of videos. */
  source: DataSource;
  /** Manifest path (for `source: "manifest"`). */
  path: string | null;
  /** Frames per clip fed to the model (multiple of the tubelet size). */
  frames: number;
  /** Square crop side in pixels (multiple of the patch size). */
  cropSize: number;
  /** Source frames between sampled frames (EchoJEPA-L: 3 on 30-fps files, i.e. "fps 8"). */
  frameStep: number;
  /** Random-resized-crop area range (EchoJEPA: [0.5, 1]). */
  cropScale: [number, number];
  /** Random-resized-crop aspect range (EchoJEPA: [0.9, 1.1]). */
  cropAspect: [number, number];
  /** Left–right flip probability (EchoJEPA: 0; flipping swaps the heart's sides). */
  horizontalFlipProbability: number;
  /** Phantom only: number of distinct synthetic clips in the pool (ignored when `phantomStream` is on). */
  phantomClips: number;
  /**
   * Phantom only: render a fresh clip for every sample of every step instead of drawing from a fixed pool, so a run
   * of S steps at batch B sees S·B distinct clips (the phantom renders faster than the encoder trains). Clip
   * `s·B + b` is the b-th sample of step s, so batches stay a pure function of `(seed, step)`.
   */
  phantomStream: boolean;
  /** Phantom only: speckle strength (the phantom's `speckleStrength`: 0 none, 1 as simulated, 2 twice the contrast). */
  phantomSpeckle: number;
  /**
   * Phantom only: the spread of the acquisition nuisances (gain, dynamic range, TGC, depth, sector, probe
   * placement): "full" (the default, maximal), "clinical" (one department's spread) or "none".
   */
  phantomNuisance: NuisanceLevel;
  /**
   * Phantom only: frame rate of the synthetic clips, or null for the phantom's own random 20–90 fps. A few frames
   * at a fixed low rate span a whole heartbeat (8 frames at 12 fps ≈ 0.7 s), which EF needs.
   */
  phantomFps: number | null;
  /** Background workers preparing batches while the GPU trains (0: prepare on the main thread). */
  workers: number;
  /**
   * Manifest only: unreadable files are skipped (another clip takes their place) and counted; the run stops once
   * more than this fraction of the manifest's files has failed (default 0.25).
   */
  maxUnreadableFraction: number;
}

/**
 * The encoder's architecture: fields of the ViT's own `VitConfig` (the one architecture type), the rest of which
 * (clip frames and size) come from `data`. `mlpHidden` may be left out: `vitConfig` then derives 4·D.
 */
type EncoderFields = Pick<
  VitConfig,
  "embedDim" | "depth" | "numHeads" | "tubeletSize" | "patchSize" | "positionEncoding"
>;

/** The JEPA predictor (a narrow ViT over context + mask tokens). */
export interface PredictorConfig {
  /** Predictor width (reference 384). */
  embedDim: number;
  /** Blocks (reference 12). */
  depth: number;
  /** Heads (reference 12). */
  numHeads: number;
  /** MLP hidden width (reference 4·width). */
  mlpHidden: number;
  /** Learnable mask tokens (reference checkpoints: 10; only token 0 is used with one frames-per-clip group). */
  numMaskTokens: number;
}

/** The VideoMAE baseline (spec §5.5). */
export interface MaeConfig {
  /** Fraction of tubes (all time steps of a patch position) masked (0.9). */
  maskRatio: number;
  /** Decoder width. */
  decoderEmbedDim: number;
  /** Decoder blocks (4). */
  decoderDepth: number;
  /** Decoder heads. */
  decoderNumHeads: number;
  /** Normalise each target tubelet by its own mean and std (VideoMAE's `norm_pix_loss`). */
  normPixLoss: boolean;
}

/** Learning-rate schedule shapes. */
export type LrSchedule = "warmup-constant" | "warmup-cosine" | "anneal";

/** Optimisation. */
export interface OptimConfig {
  /** Clips per step. */
  batchSize: number;
  /** "Epochs" of `itersPerEpoch` steps each (independent of the data-set size, as the reference's `ipe`). */
  epochs: number;
  /** Steps per epoch (reference 300). */
  itersPerEpoch: number;
  /** Schedule length multiplier (reference `ipe_scale`): schedules run over `ipeScale·epochs·itersPerEpoch`. */
  ipeScale: number;
  /** "warmup-constant" (V-JEPA 2 / EchoJEPA pretraining), "warmup-cosine" (V-JEPA 1), "anneal" (linear cooldown). */
  lrSchedule: LrSchedule;
  /** Warmup length in epochs (ignored by "anneal"). */
  warmupEpochs: number;
  /** LR at step 0 of the warmup. */
  startLr: number;
  /** Peak (reference) LR. */
  lr: number;
  /** LR at the end of the schedule (= lr for warmup-constant). */
  finalLr: number;
  /** Weight decay of ≥2-D weights at step 0 (biases and 1-D parameters are never decayed). */
  weightDecay: number;
  /** Weight decay at the end (cosine schedule; = weightDecay for constant). */
  finalWeightDecay: number;
  /** AdamW betas (JEPA: [0.9, 0.999]; EchoMAE: [0.9, 0.95]). */
  betas: [number, number];
  /** AdamW epsilon. */
  eps: number;
  /** Global gradient-norm clip (null: none, as V-JEPA 2 / EchoJEPA). */
  clipGradNorm: number | null;
  /** EMA momentum of the target encoder at the start and end (linear; [0.99925, 0.99925] is constant). */
  ema: [number, number];
}

/** Logging, checkpoints and safety. */
export interface RunConfig {
  /** Directory for checkpoints and metrics (created). */
  outDir: string;
  /** Read the loss back and log every this many steps. */
  logEvery: number;
  /** Write `latest` every this many epochs. */
  checkpointEveryEpochs: number;
  /** Also keep a numbered checkpoint every this many epochs (0: never). */
  keepEveryEpochs: number;
  /** Warn when the std of target embeddings across the batch falls below this (representation collapse). */
  collapseStdThreshold: number;
}

/** Everything a pretraining run needs. */
export interface PretrainConfig {
  /** Run name (used in logs and default output paths). */
  name: string;
  /** Loss: JEPA latent prediction or pixel MAE. */
  objective: Objective;
  /** Seed of everything random (initialisation, data, masks). */
  seed: number;
  /** Data. */
  data: DataConfig;
  /** Encoder. */
  /** The encoder (ViT) architecture; the same encoder serves both objectives. */
  encoder: EncoderFields & Partial<Pick<VitConfig, "mlpHidden">>;
  /** JEPA predictor. */
  predictor: PredictorConfig;
  /** JEPA mask generators. */
  masks: MaskGeneratorConfig[];
  /** MAE baseline. */
  mae: MaeConfig;
  /** Optimisation. */
  optim: OptimConfig;
  /** Run bookkeeping. */
  run: RunConfig;
}

/** A config with any part left out (deep); what config files and presets override. */
export type PretrainConfigOverrides = {
  [K in keyof PretrainConfig]?: PretrainConfig[K] extends unknown[] ? PretrainConfig[K]
    : PretrainConfig[K] extends object ? Partial<PretrainConfig[K]>
    : PretrainConfig[K];
};

const referenceMasks = (): MaskGeneratorConfig[] => REFERENCE_MASK_GENERATORS.map((g) => structuredClone(g));

/** The EchoJEPA-L recipe (spec §5.4): ViT-L, 16 frames at 224 px, batch 1024, warmup → constant 1.75e-4. */
const VITL_ECHOJEPA: PretrainConfig = {
  name: "vitl-echojepa",
  objective: "jepa",
  seed: 234,
  data: {
    source: "manifest",
    path: null,
    frames: 16,
    cropSize: 224,
    frameStep: 3,
    cropScale: [0.5, 1],
    cropAspect: [0.9, 1.1],
    horizontalFlipProbability: 0,
    phantomClips: 512,
    phantomStream: false,
    phantomSpeckle: 1,
    phantomNuisance: "full",
    phantomFps: null,
    workers: 2,
    maxUnreadableFraction: 0.25,
  },
  encoder: {
    embedDim: 1024,
    depth: 24,
    numHeads: 16,
    mlpHidden: undefined, // 4·D, derived by vitConfig; a preset or file may set it (ViT-g: 6144)
    tubeletSize: 2,
    patchSize: 16,
    positionEncoding: "rope",
  },
  predictor: { embedDim: 384, depth: 12, numHeads: 12, mlpHidden: 1536, numMaskTokens: 10 },
  masks: referenceMasks(),
  mae: { maskRatio: 0.9, decoderEmbedDim: 512, decoderDepth: 4, decoderNumHeads: 8, normPixLoss: true },
  optim: {
    batchSize: 1024,
    epochs: 240,
    itersPerEpoch: 300,
    ipeScale: 1.25,
    lrSchedule: "warmup-constant",
    warmupEpochs: 40,
    startLr: 3.33e-5,
    lr: 1.75e-4,
    finalLr: 1.75e-4,
    weightDecay: 0.04,
    finalWeightDecay: 0.04,
    betas: [0.9, 0.999],
    eps: 1e-8,
    clipGradNorm: null,
    ema: [0.99925, 0.99925],
  },
  run: {
    outDir: "runs/vitl-echojepa",
    logEvery: 10,
    checkpointEveryEpochs: 1,
    keepEveryEpochs: 10,
    collapseStdThreshold: 0.01,
  },
};

/** Presets by name. */
export const PRESETS: Readonly<Record<string, PretrainConfigOverrides>> = {
  /**
   * This 2-core machine's software WebGPU adapter: 8 frames at 64 px with 8-px patches (4×8×8 = 256 tokens), a
   * 3-block 64-wide encoder and a 2-block 48-wide predictor, phantom data. Learns visibly in a few minutes.
   */
  micro: {
    name: "micro",
    seed: 0,
    data: { source: "phantom", frames: 8, cropSize: 64, frameStep: 1, phantomClips: 64, workers: 0 },
    encoder: { embedDim: 64, depth: 3, numHeads: 4, tubeletSize: 2, patchSize: 8 },
    predictor: { embedDim: 48, depth: 2, numHeads: 4, mlpHidden: 192, numMaskTokens: 1 },
    mae: { decoderEmbedDim: 48, decoderDepth: 2, decoderNumHeads: 4 },
    optim: {
      batchSize: 4,
      epochs: 5,
      itersPerEpoch: 20,
      ipeScale: 1,
      warmupEpochs: 1,
      startLr: 1e-4,
      lr: 1e-3,
      finalLr: 1e-3,
      ema: [0.99, 0.99],
    },
    run: { outDir: "runs/micro", logEvery: 5, keepEveryEpochs: 0 },
  },
  /** A laptop GPU: ViT-tiny (192 wide, 12 blocks) at 16 frames × 112 px, predictor 6 × 192. */
  tiny: {
    name: "tiny",
    data: { source: "phantom", frames: 16, cropSize: 112, frameStep: 1, phantomClips: 2048, workers: 2 },
    encoder: { embedDim: 192, depth: 12, numHeads: 3, tubeletSize: 2, patchSize: 16 },
    predictor: { embedDim: 192, depth: 6, numHeads: 6, mlpHidden: 768, numMaskTokens: 1 },
    mae: { decoderEmbedDim: 192, decoderDepth: 4, decoderNumHeads: 6 },
    optim: {
      batchSize: 32,
      epochs: 50,
      itersPerEpoch: 100,
      ipeScale: 1,
      warmupEpochs: 5,
      startLr: 5e-5,
      lr: 5e-4,
      finalLr: 5e-4,
      ema: [0.998, 0.998],
    },
    run: { outDir: "runs/tiny" },
  },
  /** A desktop GPU: ViT-small (384 wide, 12 blocks) at 16 frames × 224 px, predictor 6 × 256. */
  small: {
    name: "small",
    data: { source: "phantom", frames: 16, cropSize: 224, frameStep: 1, phantomClips: 4096, workers: 2 },
    encoder: { embedDim: 384, depth: 12, numHeads: 6, tubeletSize: 2, patchSize: 16 },
    predictor: { embedDim: 256, depth: 6, numHeads: 8, mlpHidden: 1024, numMaskTokens: 1 },
    mae: { decoderEmbedDim: 256, decoderDepth: 4, decoderNumHeads: 8 },
    optim: {
      batchSize: 64,
      epochs: 100,
      itersPerEpoch: 300,
      ipeScale: 1,
      warmupEpochs: 10,
      startLr: 3e-5,
      lr: 3e-4,
      finalLr: 3e-4,
      ema: [0.999, 0.999],
    },
    run: { outDir: "runs/small" },
  },
  /** EchoJEPA-L pretraining (spec §5.4). */
  "vitl-echojepa": {},
  /** EchoJEPA-L cooldown: same data, linear decay 1.75e-4 → 1e-6 over 80 epochs (spec §5.4). */
  "vitl-echojepa-cooldown": {
    name: "vitl-echojepa-cooldown",
    optim: { epochs: 80, ipeScale: 1, lrSchedule: "anneal", lr: 1.75e-4, finalLr: 1e-6, warmupEpochs: 0 },
    run: { outDir: "runs/vitl-echojepa-cooldown" },
  },
  /** EchoJEPA-G pretraining (spec §5.3): ViT-g (22 heads), 336 px, 24 fps (step 1), batch 640. */
  "vitg-echojepa": {
    name: "vitg-echojepa",
    seed: 239,
    data: { cropSize: 336, frameStep: 1 },
    encoder: { embedDim: 1408, depth: 40, numHeads: 22, mlpHidden: 6144, tubeletSize: 2, patchSize: 16 },
    optim: {
      batchSize: 640,
      epochs: 400,
      ipeScale: 1,
      warmupEpochs: 5,
      startLr: 2.08333e-5,
      lr: 1.09375e-4,
      finalLr: 1.09375e-4,
    },
    run: { outDir: "runs/vitg-echojepa" },
  },
  /** EchoMAE-L (spec §5.5): VideoMAE on the same ViT-L and data; tube ratio 0.9, decoder depth 4, β₂ 0.95. */
  "vitl-echomae": {
    name: "vitl-echomae",
    objective: "mae",
    optim: {
      epochs: 164,
      itersPerEpoch: 513,
      ipeScale: 1,
      lrSchedule: "warmup-cosine",
      warmupEpochs: 24,
      startLr: 0,
      lr: 3.52e-6,
      finalLr: 1e-6,
      betas: [0.9, 0.95],
    },
    run: { outDir: "runs/vitl-echomae" },
  },
};

/** Names of the presets. */
export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` onto `base` (objects merge key by key; arrays and scalars replace). Unknown keys throw. */
function merge(base: unknown, over: unknown, path: string): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (!(k in base)) {
      throw new Error(`pretrain config: unknown key "${path}${k}" (known: ${Object.keys(base).join(", ")})`);
    }
    out[k] = merge(base[k], v, `${path}${k}.`);
  }
  return out;
}

/**
 * A full config: the named preset (default `micro`) with each override object deep-merged on top, in order,
 * then validated.
 */
export function resolveConfig(preset = "micro", ...overrides: PretrainConfigOverrides[]): PretrainConfig {
  if (!(preset in PRESETS)) {
    throw new Error(`pretrain config: unknown preset "${preset}" (known: ${presetNames().join(", ")})`);
  }
  let config = merge(VITL_ECHOJEPA, PRESETS[preset], "") as PretrainConfig;
  for (const o of overrides) config = merge(config, o, "") as PretrainConfig;
  validateConfig(config);
  return config;
}

/** Total optimizer steps of a run. */
export function totalSteps(c: PretrainConfig): number {
  return c.optim.epochs * c.optim.itersPerEpoch;
}

/** Throws one error listing every invalid field. */
export function validateConfig(c: PretrainConfig): void {
  const errors: string[] = [];
  const posInt = (path: string, v: number): void => {
    if (!(Number.isInteger(v) && v > 0)) errors.push(`${path} must be a positive integer, got ${v}`);
  };
  const range = (path: string, v: [number, number], lo: number, hi: number): void => {
    if (!Array.isArray(v) || v.length !== 2 || !(v[0] >= lo && v[1] >= v[0] && v[1] <= hi)) {
      errors.push(`${path} must be [min, max] with ${lo} ≤ min ≤ max ≤ ${hi}, got ${JSON.stringify(v)}`);
    }
  };
  if (c.objective !== "jepa" && c.objective !== "mae") {
    errors.push(`objective must be "jepa" or "mae", got "${c.objective}"`);
  }
  if (c.data.source !== "phantom" && c.data.source !== "manifest") {
    errors.push(`data.source must be "phantom" or "manifest", got "${c.data.source}"`);
  }
  for (const k of ["frames", "cropSize", "frameStep", "phantomClips"] as const) {
    posInt(`data.${k}`, c.data[k]);
  }
  if (typeof c.data.phantomStream !== "boolean") errors.push(`data.phantomStream must be true or false`);
  if (!(c.data.phantomSpeckle >= 0 && c.data.phantomSpeckle <= 4)) {
    errors.push(`data.phantomSpeckle must be in [0, 4], got ${c.data.phantomSpeckle}`);
  }
  if (!NUISANCE_LEVELS.includes(c.data.phantomNuisance)) {
    errors.push(
      `data.phantomNuisance must be one of ${NUISANCE_LEVELS.join(", ")}, got ${c.data.phantomNuisance}`,
    );
  }
  if (c.data.phantomFps !== null && !(c.data.phantomFps > 0)) {
    errors.push(`data.phantomFps must be null or a positive frame rate, got ${c.data.phantomFps}`);
  }
  if (!(Number.isInteger(c.data.workers) && c.data.workers >= 0)) errors.push(`data.workers must be ≥ 0`);
  if (!(c.data.maxUnreadableFraction >= 0 && c.data.maxUnreadableFraction <= 1)) {
    errors.push(`data.maxUnreadableFraction must be in [0, 1], got ${c.data.maxUnreadableFraction}`);
  }
  range("data.cropScale", c.data.cropScale, 0, 1);
  range("data.cropAspect", c.data.cropAspect, 0, Infinity);
  const e = c.encoder;
  for (const k of ["embedDim", "depth", "numHeads", "tubeletSize", "patchSize"] as const) {
    posInt(`encoder.${k}`, e[k]);
  }
  if (e.mlpHidden !== undefined) posInt("encoder.mlpHidden", e.mlpHidden);
  if (e.positionEncoding !== "rope" && e.positionEncoding !== "sincos") {
    errors.push(`encoder.positionEncoding must be "rope" or "sincos", got "${e.positionEncoding}"`);
  }
  if (e.embedDim % e.numHeads) {
    errors.push(`encoder.embedDim ${e.embedDim} must divide by numHeads ${e.numHeads}`);
  }
  if (c.data.frames % e.tubeletSize) {
    errors.push(`data.frames ${c.data.frames} must be a multiple of encoder.tubeletSize ${e.tubeletSize}`);
  }
  if (c.data.cropSize % e.patchSize) {
    errors.push(`data.cropSize ${c.data.cropSize} must be a multiple of encoder.patchSize ${e.patchSize}`);
  }
  const p = c.predictor;
  for (const k of Object.keys(p) as (keyof PredictorConfig)[]) posInt(`predictor.${k}`, p[k]);
  if (p.embedDim % p.numHeads) {
    errors.push(`predictor.embedDim ${p.embedDim} must divide by numHeads ${p.numHeads}`);
  }
  if (!Array.isArray(c.masks) || c.masks.length === 0) errors.push("masks must list at least one generator");
  const m = c.mae;
  if (!(m.maskRatio > 0 && m.maskRatio < 1)) {
    errors.push(`mae.maskRatio must be in (0, 1), got ${m.maskRatio}`);
  }
  for (const k of ["decoderEmbedDim", "decoderDepth", "decoderNumHeads"] as const) posInt(`mae.${k}`, m[k]);
  if (m.decoderEmbedDim % m.decoderNumHeads) {
    errors.push(`mae.decoderEmbedDim must divide by mae.decoderNumHeads`);
  }
  const o = c.optim;
  for (const k of ["batchSize", "epochs", "itersPerEpoch"] as const) posInt(`optim.${k}`, o[k]);
  if (!["warmup-constant", "warmup-cosine", "anneal"].includes(o.lrSchedule)) {
    errors.push(`optim.lrSchedule must be warmup-constant, warmup-cosine or anneal, got "${o.lrSchedule}"`);
  }
  if (!(o.ipeScale > 0)) errors.push(`optim.ipeScale must be > 0`);
  for (
    const k of ["warmupEpochs", "startLr", "lr", "finalLr", "weightDecay", "finalWeightDecay", "eps"] as const
  ) {
    if (!(o[k] >= 0)) errors.push(`optim.${k} must be ≥ 0, got ${o[k]}`);
  }
  range("optim.betas", o.betas, 0, 0.999999);
  range("optim.ema", [Math.min(...o.ema), Math.max(...o.ema)], 0, 1);
  if (o.clipGradNorm !== null && !(o.clipGradNorm > 0)) errors.push(`optim.clipGradNorm must be > 0 or null`);
  for (const k of ["logEvery", "checkpointEveryEpochs"] as const) posInt(`run.${k}`, c.run[k]);
  if (!(Number.isInteger(c.run.keepEveryEpochs) && c.run.keepEveryEpochs >= 0)) {
    errors.push(`run.keepEveryEpochs must be ≥ 0`);
  }
  if (errors.length) throw new Error(`pretrain config "${c.name}" is invalid:\n  ${errors.join("\n  ")}`);
}
