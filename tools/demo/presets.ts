/**
 * Demo presets: data size, encoder, pretraining budget and probe protocol, scaled for a smoke test (`quick`), this
 * kind of 2-core machine with a software WebGPU adapter (`default`), or a real GPU (`gpu`).
 */

import type { PretrainConfigOverrides } from "@echojepa/jepa";
import type { FrozenProbeKind, LabelBudget, ProbeSchedule } from "@echojepa/probe";
import type { NuisanceLevel } from "@echojepa/phantom";
import type { PositionEncoding, VitConfig } from "@echojepa/vit";

/** Everything a demo run's size depends on. */
export interface DemoPreset {
  name: string;
  /** Adult patients (all 13 views each), split 70/15/15 by patient. */
  patients: number;
  /**
   * Adult patients of the EF cohort: rendered in the EF views only (A4C + A2C), split 70/15/15 by patient, and
   * added to the view cohort's EF-view clips for the EF task (0: the view cohort's alone).
   */
  efPatients: number;
  /** Paediatric patients for zero-shot transfer (A4C + A2C clips, test only). */
  pediatricPatients: number;
  /** Frames per clip and square side in pixels (clips are rendered at this size, probed at it). */
  frames: number;
  size: number;
  /**
   * Frame rate of every phantom clip (pretraining and probes). The clip must span about one heartbeat for EF to be
   * visible: 8 frames at the phantom's random 20–90 fps cover 10–40 % of a cycle.
   */
  fps: number;
  /** Encoder shared by the three backbones. */
  /** The ViT's own fields (`vitConfig` derives `mlpHidden` = 4·D; frames and size come from above). */
  encoder: Pick<
    VitConfig,
    "embedDim" | "depth" | "numHeads" | "patchSize" | "tubeletSize" | "positionEncoding"
  >;
  /** Pretraining steps (each objective) and batch size. */
  pretrainSteps: number;
  pretrainBatch: number;
  /** Extra overrides of the jepa `micro` preset (predictor, decoder, learning rates…). */
  pretrain: PretrainConfigOverrides;
  /** The attentive probe: depth and heads, and its schedule (`lrs` is the protocol's small learning-rate sweep). */
  probe: ProbeSchedule & { depth: number; numHeads: number };
  /**
   * The fair protocol: label budgets of view classification (few-label ones drawn `draws` times; a fraction of 1 is
   * all labels, once), the linear probe's schedule (the attentive probe's sweep is `probe.lrs`), and the probes run
   * at the few-label budgets (all three at all labels).
   */
  protocol: {
    budgets: LabelBudget[];
    draws: number;
    linear: ProbeSchedule;
    fewLabelProbes: readonly FrozenProbeKind[];
  };
  /**
   * Unlabelled pretraining clips: a pool of this many, rendered once, or `"stream"` — a fresh clip for every sample
   * of every step (steps × batch distinct clips).
   */
  pretrainClips: number | "stream";
  /**
   * The phantom's speckle strength for every clip of the run, pretraining and probes (1 as simulated; `--speckle`
   * overrides it).
   */
  speckle: number;
  /**
   * The phantom's spread of acquisition nuisances for every clip of the run ("full" as simulated, "clinical" one
   * department's spread; `--nuisance` overrides it).
   */
  nuisance: NuisanceLevel;
  /** Pretraining checkpoints kept for the learning curve: one every this many of the ten epochs (0: none). */
  curveEveryEpochs: number;
  /** Clips per view in the labelled set. */
  clipsPerView: number;
}

// Fixed sin-cos positions for the tiny encoders trained from scratch here: under RoPE a briefly trained encoder
// carries almost no absolute position, and the reference's probe adds none, so views (which differ mostly in where
// structures sit) stay hard to read. Measured on the default data, random-init encoder, attentive probe, 450 steps:
// 22 % test view accuracy with RoPE, 35 % with sin-cos (chance 7.7 %). The gpu preset keeps the reference's RoPE.
const ENCODER = {
  embedDim: 64,
  depth: 3,
  numHeads: 4,
  patchSize: 8,
  tubeletSize: 2,
  positionEncoding: "sincos" as PositionEncoding,
};

/** The label budgets of issue 17: 1 and 5 examples per class, 1 %, 10 % and all labels. */
const BUDGETS: LabelBudget[] = [
  { kind: "shot", k: 1 },
  { kind: "shot", k: 5 },
  { kind: "fraction", fraction: 0.01 },
  { kind: "fraction", fraction: 0.1 },
  { kind: "fraction", fraction: 1 },
];

// The tiny encoders' few-label probes: linear and kNN. The attentive probe (one query, no positions: it reads a bag
// of tokens, while views differ mostly in where structures sit) stays at chance with 5 labels per view at every
// schedule tried — measured on the VALIDATION patients of a default run (bench/probe_protocol.ts, 5 draws): 10–14 %
// for JEPA's target, MAE, a random init and raw pixels at lr 3e-4…3e-2, 20–150 steps, all tokens or the
// time-pooled grid (chance 7.7 %), where the linear probe reaches 35–40 %. It cost about 90 % of the view probes' time, so it runs at all
// labels only here; the gpu preset, whose encoder is large enough for it, runs it at every budget.
const FEW_LABEL_PROBES: readonly FrozenProbeKind[] = ["linear", "knn"];

/** The linear probe on mean-pooled standardised tokens: cheap, so the same schedule everywhere. */
const LINEAR = { epochs: 10, minSteps: 60, batchSize: 32, lrs: [3e-3, 3e-2], weightDecays: [0.01] };

// The EMA target's momentum ramps from 0.99 to 0.999 (linear over the run, as V-JEPA's schedule). A constant 0.998
// over the demo's former 150 steps left 0.998^150 = 74 % of the init in the target, which the probes read: measured
// on the VALIDATION patients (bench/pretrain_regimes.ts, linear probe, 5 labels per view), 35.4 % at init and
// 35.0 % after 150 steps from a pool of 256 clips (35.4 % from a stream). The ramp with 600 steps from the stream
// reached 40.0 % (all labels 60.7 → 69.2 %, kNN 43.6 → 49.6 %); a constant 0.99 collapses tiny encoders'
// features in 150 steps (token variance about the clip mean 0.05 vs 0.13 at init).
const TINY_PRETRAIN: PretrainConfigOverrides = { optim: { ema: [0.99, 0.999] } };

/** The presets by name. */
export const DEMO_PRESETS: Record<string, DemoPreset> = {
  quick: {
    name: "quick",
    patients: 16,
    efPatients: 8,
    pediatricPatients: 4,
    frames: 8,
    size: 32,
    fps: 12,
    encoder: { ...ENCODER, embedDim: 32, depth: 2 },
    pretrainSteps: 10,
    pretrainBatch: 4,
    pretrain: TINY_PRETRAIN,
    probe: {
      depth: 1,
      numHeads: 4,
      epochs: 6,
      minSteps: 0,
      batchSize: 16,
      lrs: [3e-3, 1e-2],
      weightDecays: [0.01],
    },
    protocol: {
      budgets: BUDGETS,
      draws: 2,
      linear: { ...LINEAR, epochs: 6, minSteps: 0 },
      fewLabelProbes: FEW_LABEL_PROBES,
    },
    pretrainClips: 32,
    speckle: 1,
    nuisance: "full",
    curveEveryEpochs: 5,
    clipsPerView: 1,
  },
  default: {
    name: "default",
    patients: 60,
    // EF needs far more labelled patients than views: the pixel oracle (tools/ef_oracle.ts, ridge on low-pass
    // cells, its own seeds, 100 test patients, full nuisances) reaches R² 0.03 with the view cohort's 42 training
    // patients, 0.28 with 100, 0.42 with 200 and 0.41 with 400. 230 more patients give the EF task about 200.
    efPatients: 230,
    pediatricPatients: 12,
    frames: 8,
    size: 48,
    fps: 12,
    encoder: ENCODER,
    // 600 steps × batch 4 from the stream: 2400 unlabelled clips, 4× the labelled set; 106 s per objective on
    // the wasm backend (load 1.2–1.9). Batch 16 would cost about 4× per step (not run: it cannot fit 15 minutes).
    pretrainSteps: 600,
    pretrainBatch: 4,
    pretrain: TINY_PRETRAIN,
    // Probes on a tiny encoder's features need far larger steps than the reference's 1e-4 (measured, random-init
    // sin-cos encoder, 100 % labels, 10 epochs: 15 % test view accuracy at lr 3e-3, 34 % at 1e-2), and a floor on
    // steps: with 1 % of the labels (13 clips) ten epochs are ten steps. The sweep's lrs: with all labels on the
    // validation patients, 3e-3 was never the best (JEPA 28.2 % vs 38.5 % at 1e-2 and 43.6 % at 3e-2; raw pixels
    // 24.8 % vs 29.9 % and 18.8 %; bench/probe_protocol.jsonl).
    probe: {
      depth: 1,
      numHeads: 4,
      epochs: 10,
      minSteps: 60,
      batchSize: 32,
      lrs: [1e-2, 3e-2],
      weightDecays: [0.01],
    },
    protocol: { budgets: BUDGETS, draws: 10, linear: LINEAR, fewLabelProbes: FEW_LABEL_PROBES },
    pretrainClips: "stream",
    speckle: 1,
    nuisance: "full",
    curveEveryEpochs: 5, // init, 300 and 600 steps: each point costs about 7 s of probes
    clipsPerView: 1,
  },
  gpu: {
    name: "gpu",
    patients: 400,
    efPatients: 0, // 280 training patients already: past the pixel oracle's plateau (about 200)
    pediatricPatients: 60,
    frames: 16,
    size: 112,
    fps: 24,
    encoder: {
      embedDim: 192,
      depth: 12,
      numHeads: 3,
      patchSize: 16,
      tubeletSize: 2,
      positionEncoding: "rope",
    },
    pretrainSteps: 5000,
    pretrainBatch: 32,
    pretrain: {
      predictor: { embedDim: 192, depth: 6, numHeads: 6, mlpHidden: 768, numMaskTokens: 1 },
      mae: { decoderEmbedDim: 192, decoderDepth: 4, decoderNumHeads: 6 },
      optim: { lr: 5e-4, finalLr: 5e-4, startLr: 5e-5, ema: [0.998, 0.998] },
    },
    probe: {
      depth: 4,
      numHeads: 16,
      epochs: 20,
      minSteps: 200,
      batchSize: 16,
      lrs: [1e-4, 5e-5],
      weightDecays: [0.01, 0.1, 0.4],
    },
    protocol: {
      budgets: BUDGETS,
      draws: 10,
      linear: { ...LINEAR, epochs: 20, minSteps: 200, batchSize: 16 },
      fewLabelProbes: ["attentive", "linear", "knn"],
    },
    pretrainClips: "stream",
    speckle: 1,
    nuisance: "full",
    curveEveryEpochs: 2,
    clipsPerView: 2,
  },
};
