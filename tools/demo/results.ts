/**
 * The demo's results file (`runs/<name>/results.json`): every number the report shows, written by the demo's stages
 * and read by `deno task report`. Backbones: "jepa" (the EMA target encoder of V-JEPA pretraining, which the
 * reference's probes read) and "jepa-online" (its online encoder), "mae" (the same encoder pretrained by pixel
 * reconstruction with the same data, augmentation and step budget), three random initialisations of the same
 * architecture ("random" is the pretraining runs' own initialisation) and "pixels" (the raw model input cut into the
 * encoder's tubelets, through the same probes).
 */

import type { NuisanceLevel } from "@echojepa/phantom";
import type { FrozenProbeKind, TimePooling } from "@echojepa/probe";
import type { CurvePoint } from "./curve.ts";
import type { DemoPreset } from "./presets.ts";
import type { Verdicts } from "./verdicts.ts";

/** Backbone names, in report order. */
export const BACKBONES = ["jepa", "jepa-online", "mae", "random", "random-2", "random-3", "pixels"] as const;
/** A backbone name. */
export type Backbone = typeof BACKBONES[number];

/** Mean ± sample std over repeated runs (seeds), with the individual runs. */
export interface Repeated {
  mean: number;
  std: number;
  runs: number[];
}

/** Pretraining record of one objective. */
export interface PretrainRecord {
  /** Loss of every step. */
  lossHistory: number[];
  /** Collapse monitor: [step, std of target embeddings across the batch] (JEPA only). */
  targetStdHistory: [number, number][];
  steps: number;
  clipsPerSecond: number;
  seconds: number;
  /**
   * The learning curve: view accuracy of the probed encoder (JEPA's target, MAE's encoder) at the initialisation
   * and each kept checkpoint, linear probe and kNN at 5-shot and all labels (runs before it was added lack it).
   */
  curve?: CurvePoint[];
}

/** View classification of one backbone at one label fraction. */
export interface ViewResult {
  accuracy: Repeated;
  balancedAccuracy: Repeated;
  /** Confusion matrix `[true][pred]` of the first seed. */
  confusion: number[][];
  /** Number of training clips used (first seed). */
  trainClips: number;
}

/** One probe of the fair protocol at one label budget, over its label draws. */
export interface ProbeScore {
  /** Test accuracy (%) of each draw, mean ± std. */
  accuracy: Repeated;
  /** Per test clip: the share of draws that classified it correctly (what paired bootstraps resample). */
  correct: number[];
  /** Training clips of the first draw. */
  trainClips: number;
}

/** The fair protocol's view classification of one backbone: label budget ("1-shot", "1%", …) → probe → score. */
export type ViewProbes = Record<string, Partial<Record<FrozenProbeKind, ProbeScore>>>;

/** EF regression of one backbone (test split, original units: EF %). */
/** The EF probes: the reference's attentive probe, and the linear probe on time-pooled tokens. */
export type EfProbe = "attentive" | "linear";

/** One EF probe's test results (and its validation MAE, which chose between the two). */
export interface EfProbeResult {
  mae: number;
  r2: number;
  predicted: number[];
  /** Validation MAE of the probe's selected head (absent in older runs). */
  valMae?: number;
}

/**
 * EF regression of one backbone: the metrics of its EF probe — the one of the two with the lower validation MAE
 * (`probe`; runs before the choice are the attentive probe's) — and each probe's own test results.
 */
export interface EfResult {
  /** Which probe the metrics, paediatric transfer and robustness are from (absent: attentive). */
  probe?: EfProbe;
  mae: number;
  /** 90 % bootstrap interval of the MAE. */
  maeLow: number;
  maeHigh: number;
  rmse: number;
  r2: number;
  pearson: number;
  /** AUROC for EF < 50 % and < 40 % from the predicted EF (NaN when a class is absent). */
  auroc50: number;
  auroc40: number;
  /** Test targets and predictions, for a scatter plot. */
  target: number[];
  predicted: number[];
  /** The attentive probe's own results (absent in runs before the choice: the metrics above are its). */
  attentive?: EfProbeResult;
  /**
   * The linear probe's results, and how its input pooled time (absent: `"mean"`; runs before the fair protocol
   * lack the record).
   */
  linear?: EfProbeResult & { pooling?: TimePooling };
  /** Mean EF of the training clips: the mean predictor every probe must beat. */
  trainMean?: number;
}

/** RVSP-like multi-view regression variants (MAE in mmHg). */
export type RvspVariant =
  | "multi-view"
  | "no view dropout"
  | "no stream embeddings"
  | "late fusion"
  | "A4C only"
  | "Subcostal only";

/** One RVSP variant's test metrics. */
export interface RvspResult {
  mae: number;
  r2: number;
  /** Test studies' targets and predictions (runs before the fair protocol lack them). */
  target?: number[];
  predicted?: number[];
  /** Mean target of the training studies: the mean predictor the probe must beat. */
  trainMean?: number;
}

/** Zero-shot paediatric transfer of the EF probe trained on adults. */
export interface PediatricResult {
  /** EF MAE on adult test patients. */
  adultMae: number;
  /** EF MAE on paediatric patients never seen in training. */
  pediatricMae: number;
  pediatricR2: number;
  /** Paediatric targets and predictions, and the MAE of predicting the adult training mean. */
  target?: number[];
  predicted?: number[];
  meanPredictorMae?: number;
}

/** Robustness of the clean-trained EF probe. */
export interface RobustnessResult {
  /** MAE on clean test clips. */
  clean: number;
  /** MAE under each reference condition, in the paper's column order (DA low/med/high, GS low/med/high). */
  conditions: { name: string; mae: number; predicted?: number[] }[];
  /** (mean condition MAE − clean) / clean × 100, as the paper computes it. */
  averageDegradation: number;
}

/** Counts of the EF task's splits. */
export interface EfSplitCounts {
  train: number;
  val: number;
  test: number;
}

/** Everything the demo measured. */
export interface DemoResults {
  preset: string;
  /** The run's `--seed` (every other seed derives from it; absent in runs before it existed: 0). */
  seed?: number;
  /** The phantom's speckle strength of every clip (`--speckle`; absent in runs before it existed: 1). */
  speckle?: number;
  /** The phantom's nuisance spread of every clip (`--nuisance`; absent in runs before it existed: "full"). */
  nuisance?: NuisanceLevel;
  /** ISO time the results were last written. */
  updatedAt: string;
  /** The compute backend and what it runs on, as `describeBackend()` of @echojepa/tensor writes it. */
  adapter: string;
  /** Seconds per finished stage. */
  stageSeconds: Record<string, number>;
  /** Data set sizes and settings. */
  data: {
    views: string[];
    frames: number;
    size: number;
    /** Frame rate of the phantom clips (absent in runs made before it was fixed). */
    fps?: number;
    patients: { train: number; val: number; test: number; pediatric: number };
    clips: { train: number; val: number; test: number; pediatric: number };
    /** The EF task's patients and clips by split: the view cohort's plus the EF cohort's (absent in older runs). */
    ef?: { patients: EfSplitCounts; clips: EfSplitCounts };
  };
  /** Encoder architecture shared by all backbones (runs before sin-cos support lack `positionEncoding`). */
  encoder:
    & Omit<DemoPreset["encoder"], "positionEncoding">
    & Partial<Pick<DemoPreset["encoder"], "positionEncoding">>
    & {
      params: number;
    };
  pretraining: Partial<Record<"jepa" | "mae", PretrainRecord>>;
  /**
   * View classification by label budget ("1-shot", "5-shot", "1%", "10%", "100%") under the headline probe, the
   * linear one (runs before 2026-12-04 hold the attentive probe here).
   */
  viewClassification: Partial<Record<Backbone, Record<string, ViewResult>>>;
  /** The fair protocol: every probe at every label budget (absent in runs before it existed). */
  probes?: Partial<Record<Backbone, ViewProbes>>;
  /** Per test clip: the silhouette of its pooled, standardised embedding under the view labels (cosine). */
  clusters?: Partial<Record<Backbone, { silhouette: number[] }>>;
  /** A verdict on each of the paper's claims, with the statistic behind it (written once every backbone is probed). */
  verdicts?: Verdicts;
  ef: Partial<Record<Backbone, EfResult>>;
  rvsp: Partial<Record<Backbone, Partial<Record<RvspVariant, RvspResult>>>>;
  pediatric: Partial<Record<Backbone, PediatricResult>>;
  robustness: Partial<Record<Backbone, RobustnessResult>>;
  /**
   * Files beside results.json that the report also reads: pooled test-clip embeddings per backbone
   * (`embeddings-<backbone>.json`: `{ features: number[][], views: string[] }`) and example clips
   * (`examples.json`: `{ clip: { frames: number[], t, h, w }, conditions: { name, frames: number[] }[] }`).
   */
  files: {
    embeddings: Partial<Record<Backbone, string>>;
    examples?: string;
    /** Attention maps of each backbone's view probe (`attention-<backbone>.json`, an {@link AttentionMaps}). */
    attention?: Partial<Record<Backbone, string>>;
    /** The model bundle for the browser page (`model.safetensors`: encoder, view and EF probes, clip settings). */
    model?: string;
  };
}

/**
 * Where a view probe's query looks in a few held-out clips: its cross-attention weights over the encoder's tokens
 * (mean over heads), laid out on the token grid, with the clips' frames to draw them over.
 */
export interface AttentionMaps {
  /** Token grid `[T', H', W']`: temporal slots (tubelets) × patch rows × patch columns. */
  grid: [number, number, number];
  clips: {
    id: string;
    view: string;
    /** The probe's predicted view. */
    predicted: string;
    /** Grey frames 0–255, `t × h × w` row-major. */
    frames: number[];
    t: number;
    h: number;
    w: number;
    /** `T'·H'·W'` weights summing to 1, in token order (time-major, then rows, then columns). */
    weights: number[];
  }[];
}

/** The paper's own numbers (spec §9), shown beside ours for orientation; ours are a miniature on phantom data. */
export const PAPER = {
  controlled: {
    "EchoMAE-L": { lvefMae: 8.15, viewAcc: 40.4 },
    "EchoJEPA-L": { lvefMae: 5.97, viewAcc: 85.5 },
  },
  viewFractions: {
    "EchoMAE-L": { "1%": "21.86±1.26", "10%": "34.47±1.22", "100%": "40.4" },
    "EchoJEPA-L": { "1%": "57.55±0.72", "10%": "80.06±0.87", "100%": "85.5" },
    "EchoJEPA-G": { "1%": "78.63±1.21", "10%": "84.42±0.14", "100%": "87.4" },
  },
  rvspToronto: { "EchoMAE-L": 5.36, "EchoJEPA-L": 5.01, "EchoJEPA-G": 4.54 },
  rvspAblation: { full: 4.54, "no stream embeddings": 4.63, "late fusion": 5.09, "no view dropout": 5.37 },
  pediatricZeroShot: { "EchoMAE-L": 6.79, "EchoJEPA-L": 6.31, "EchoJEPA-G": 4.32 },
  robustness: {
    "EchoMAE-L": { clean: 8.52, conditions: [8.51, 8.57, 8.58, 8.56, 8.57, 8.57], deg: 0.5 },
    "EchoJEPA-L": { clean: 5.76, conditions: [5.72, 5.91, 6.1, 5.79, 5.87, 5.97], deg: 2.3 },
    "EchoJEPA-G": { clean: 3.97, conditions: [4.01, 4.07, 4.17, 4.02, 4.04, 4.07], deg: 2.3 },
  },
} as const;
