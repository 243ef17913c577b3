/**
 * A realistic fake demo run for the report's tests and for previewing the report without running the demo:
 * plausible numbers (JEPA ahead of MAE ahead of the random floor, as the paper expects), clustered embeddings per
 * view, and a small synthetic fan-shaped clip under the six reference perturbations. Nothing here is a measurement.
 *
 * @module
 */

import { join } from "node:path";
import type {
  AttentionMaps,
  Backbone,
  DemoResults,
  PretrainRecord,
  RvspVariant,
  ViewResult,
} from "../demo/results.ts";
import { BACKBONES, type ViewProbes } from "../demo/results.ts";
import { demoVerdicts } from "../demo/verdicts.ts";
import type { EmbeddingSet, ExampleClips } from "./run_data.ts";
import { Random } from "@echojepa/core";

/** A whole fake run: results plus the side files it names. */
export interface FakeRun {
  results: DemoResults;
  embeddings: Partial<Record<Backbone, EmbeddingSet>>;
  examples: ExampleClips;
  attention: Partial<Record<Backbone, AttentionMaps>>;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const VIEWS = ["A2C", "A4C", "PLAX", "PSAX-MV", "SSN", "Subcostal"];
const CONDITIONS = [
  "depth-attenuation-low",
  "depth-attenuation-medium",
  "depth-attenuation-high",
  "gaussian-shadow-low",
  "gaussian-shadow-medium",
  "gaussian-shadow-high",
];
/** How good each backbone is in the fake run: 1 is the best. */
/** The fixture's backbones (the demo's three original ones) and how good each is made to look. */
const QUALITY: Partial<Record<Backbone, number>> = { jepa: 1, mae: 0.7, random: 0.45 };
const FIXTURE_BACKBONES = BACKBONES.filter((b) => QUALITY[b] !== undefined);

function repeated(mean: number, spread: number, random: () => number): ViewResult["accuracy"] {
  // In %, as the demo records accuracies.
  const runs = [0, 1, 2].map(() => 100 * Math.min(1, Math.max(0, mean + spread * gaussian(random))));
  const m = runs.reduce((a, b) => a + b, 0) / runs.length;
  const std = Math.sqrt(runs.reduce((a, b) => a + (b - m) ** 2, 0) / (runs.length - 1));
  return { mean: m, std, runs };
}

function pretrain(
  steps: number,
  start: number,
  floor: number,
  random: () => number,
  jepa: boolean,
): PretrainRecord {
  const lossHistory = Array.from(
    { length: steps },
    (_, i) => floor + (start - floor) * Math.exp(-i / (steps / 4)) + 0.02 * start * gaussian(random),
  );
  const targetStdHistory: [number, number][] = jepa
    ? Array.from({ length: 21 }, (_, k) => [Math.round((k * steps) / 20), 0.6 + 0.3 * Math.exp(-k / 6)])
    : [];
  lossHistory[Math.floor(steps / 3)] = Number.NaN; // one diverged step, as a real run may record
  const curve = [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => ({
    step: Math.round(f * steps),
    accuracy: {
      "5-shot": { linear: 30 + (jepa ? 12 : 4) * f, knn: 26 + (jepa ? 9 : 2) * f },
      "100%": { linear: 55 + (jepa ? 10 : 3) * f, knn: 40 + (jepa ? 8 : 1) * f },
    },
  }));
  return { lossHistory, targetStdHistory, steps, clipsPerSecond: 14.2, seconds: steps / 14.2 * 8, curve };
}

function exampleClip(t: number, size: number): ExampleClips {
  const frames: number[] = [];
  for (let f = 0; f < t; f++) {
    const radius = size * (0.22 + 0.05 * Math.cos((2 * Math.PI * f) / t));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = x - size / 2, dy = y - size * 0.1;
        const inFan = dy > 0 && Math.abs(Math.atan2(dx, dy)) < 0.6 && Math.hypot(dx, dy) < size * 0.85;
        const r = Math.hypot(x - size / 2, y - size * 0.55);
        const wall = Math.abs(r - radius) < size * 0.06;
        frames.push(inFan ? (wall ? 200 : 60 + ((x * 7 + y * 13 + f * 5) % 30)) : 0);
      }
    }
  }
  const conditions = CONDITIONS.map((name, k) => {
    const depth = name.startsWith("depth");
    const level = (k % 3) + 1;
    return {
      name,
      frames: frames.map((v, i) => {
        const y = Math.floor(i / size) % size, x = i % size;
        const gain = depth ? Math.exp(-0.6 * level * (y / size)) : 1 -
          0.25 * level *
            Math.exp(-((x - size * 0.6) ** 2 + (y - size * 0.5) ** 2) / (2 * (size * 0.15) ** 2));
        return Math.round(v * gain);
      }),
    };
  });
  return { clip: { frames, t, h: size, w: size }, conditions };
}

/** Builds a complete fake run; `seed` changes the noise, not the ranking of the backbones. */
export function fakeRun(seed = 0): FakeRun {
  const random = new Random(seed + 1).source();
  const results: DemoResults = {
    preset: "fixture",
    updatedAt: "2026-11-29T12:00:00.000Z",
    adapter: "fixture (no GPU)",
    stageSeconds: { data: 12.5, "pretrain-jepa": 301, "pretrain-mae": 288, probes: 402, robustness: 95 },
    data: {
      views: VIEWS,
      frames: 8,
      size: 48,
      patients: { train: 96, val: 16, test: 32, pediatric: 24 },
      clips: { train: 576, val: 96, test: 192, pediatric: 144 },
      ef: { patients: { train: 150, val: 32, test: 32 }, clips: { train: 300, val: 64, test: 64 } },
    },
    encoder: { embedDim: 96, depth: 4, numHeads: 4, patchSize: 8, tubeletSize: 2, params: 463_000 },
    pretraining: {
      jepa: pretrain(400, 0.9, 0.18, random, true),
      mae: pretrain(400, 1.1, 0.42, random, false),
    },
    viewClassification: {},
    ef: {},
    rvsp: {},
    pediatric: {},
    robustness: {},
    files: {
      embeddings: {
        jepa: "embeddings-jepa.json",
        mae: "embeddings-mae.json",
        random: "embeddings-random.json",
      },
      examples: "examples.json",
      attention: {
        jepa: "attention-jepa.json",
        mae: "attention-mae.json",
        random: "attention-random.json",
      },
    },
  };
  const embeddings: Partial<Record<Backbone, EmbeddingSet>> = {};
  for (const backbone of FIXTURE_BACKBONES) {
    const q = QUALITY[backbone]!;
    const fractions: Record<string, ViewResult> = {};
    for (const [fraction, boost] of [["1%", 0], ["10%", 0.12], ["100%", 0.2]] as const) {
      const accuracy = repeated(0.2 + 0.55 * q + boost * q, 0.02, random);
      fractions[fraction] = {
        accuracy,
        balancedAccuracy: { ...accuracy, mean: accuracy.mean - 2 },
        confusion: VIEWS.map((_, i) => VIEWS.map((_, j) => (i === j ? 20 : 2))),
        trainClips: fraction === "1%" ? 6 : fraction === "10%" ? 58 : 576,
      };
    }
    results.viewClassification[backbone] = fractions;
    // The fair protocol: each probe classifies each of 90 test clips correctly with a quality-dependent chance.
    const probes: ViewProbes = {};
    for (
      const [budget, boost] of [["1-shot", 0], ["5-shot", 0.1], ["1%", 0], ["10%", 0.12], [
        "100%",
        0.2,
      ]] as const
    ) {
      probes[budget] = {};
      for (const kind of ["attentive", "linear", "knn"] as const) {
        const accuracy = repeated(0.2 + 0.55 * q + boost * q, 0.02, random);
        const correct = Array.from({ length: 90 }, () => (random() < accuracy.mean / 100 ? 1 : 0));
        probes[budget][kind] = { accuracy, correct, trainClips: budget === "1-shot" ? 13 : 65 };
      }
    }
    results.probes = { ...results.probes, [backbone]: probes };
    const target = Array.from({ length: 60 }, () => 30 + 40 * random());
    const predicted = target.map((t) => t + (1 - q) * (50 - t) * 0.8 + (9 - 5 * q) * gaussian(random) * 0.6);
    const errors = target.map((t, i) => Math.abs(t - predicted[i]));
    const mae = errors.reduce((a, b) => a + b, 0) / errors.length;
    results.ef[backbone] = {
      mae,
      maeLow: mae * 0.88,
      maeHigh: mae * 1.13,
      rmse: mae * 1.25,
      r2: 0.85 * q - 0.15,
      pearson: 0.9 * q,
      auroc50: 0.55 + 0.4 * q,
      auroc40: backbone === "random" ? Number.NaN : 0.5 + 0.45 * q,
      target,
      predicted,
      probe: q > 0.5 ? "linear" : "attentive",
      attentive: { mae: mae * 1.1, r2: 0.8 * q - 0.2, predicted, valMae: mae * 1.05 },
      linear: { mae, r2: 0.85 * q - 0.15, predicted, valMae: q > 0.5 ? mae : mae * 1.2, pooling: "meanStd" },
      trainMean: 50,
    };
    const rvsp: Partial<Record<RvspVariant, { mae: number; r2: number }>> = {};
    const penalties: [RvspVariant, number][] = [
      ["multi-view", 0],
      ["no view dropout", 0.6],
      ["no stream embeddings", 0.15],
      ["late fusion", 0.4],
      ["A4C only", 0.9],
      ["Subcostal only", 1.2],
    ];
    for (const [variant, penalty] of penalties) {
      rvsp[variant] = { mae: 4 + 3 * (1 - q) + penalty, r2: 0.7 * q - 0.05 * penalty };
    }
    results.rvsp[backbone] = rvsp;
    results.pediatric[backbone] = {
      adultMae: mae,
      pediatricMae: mae * (1.5 - 0.3 * q),
      pediatricR2: 0.6 * q - 0.1,
    };
    const conditionMaes = CONDITIONS.map((name, k) => ({
      name,
      mae: mae * (1 + 0.01 * (k % 3 + 1) * (2 - q)),
    }));
    const meanCondition = conditionMaes.reduce((a, c) => a + c.mae, 0) / conditionMaes.length;
    results.robustness[backbone] = {
      clean: mae,
      conditions: conditionMaes,
      averageDegradation: ((meanCondition - mae) / mae) * 100,
    };
    // Clustered features: one centre per view, tighter clusters for better backbones.
    const dim = 24;
    const centres = VIEWS.map(() => Array.from({ length: dim }, () => gaussian(random)));
    const views = Array.from({ length: 90 }, (_, i) => VIEWS[i % VIEWS.length]);
    const features = views.map((v) =>
      centres[VIEWS.indexOf(v)].map((c) => c * q * 3 + gaussian(random) * (1.6 - q))
    );
    embeddings[backbone] = { features, views };
  }
  results.verdicts = demoVerdicts(results, seed);
  const examples = exampleClip(8, 48);
  const attention: Partial<Record<Backbone, AttentionMaps>> = {};
  FIXTURE_BACKBONES.forEach((backbone, k) => {
    // A 4 × 6 × 6 token grid; better backbones get more peaked maps.
    const clips = ["A4C", "PLAX"].map((view, i) => {
      const logits = Array.from({ length: 144 }, () => gaussian(random) * (2 - k * 0.8));
      const z = logits.reduce((a, l) => a + Math.exp(l), 0);
      return {
        id: `fake-${view}`,
        view,
        predicted: i === 0 || k === 0 ? view : "A2C",
        ...examples.clip,
        weights: logits.map((l) => Math.exp(l) / z),
      };
    });
    attention[backbone] = { grid: [4, 6, 6], clips };
  });
  return { results, embeddings, examples, attention };
}

/**
 * The same run as the demo would leave it after its first stages only: data and pretraining finished, JEPA's
 * embeddings written, every probe section still empty, no example clips.
 */
export function fakePartialRun(seed = 0): FakeRun {
  const full = fakeRun(seed);
  const results: DemoResults = {
    ...full.results,
    pretraining: { jepa: full.results.pretraining.jepa },
    viewClassification: { jepa: { "1%": full.results.viewClassification.jepa!["1%"] } },
    probes: {},
    verdicts: undefined,
    ef: {},
    rvsp: {},
    pediatric: {},
    robustness: {},
    files: { embeddings: { jepa: "embeddings-jepa.json" } },
  };
  return { results, embeddings: { jepa: full.embeddings.jepa }, examples: full.examples, attention: {} };
}

/** Writes a fake run into `dir` as the demo would (results.json plus the side files it names). */
export async function writeFakeRun(dir: string, run: FakeRun): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "results.json"), JSON.stringify(run.results));
  for (const [backbone, file] of Object.entries(run.results.files.embeddings)) {
    const set = run.embeddings[backbone as Backbone];
    if (file && set) await Deno.writeTextFile(join(dir, file), JSON.stringify(set));
  }
  if (run.results.files.examples) {
    await Deno.writeTextFile(join(dir, run.results.files.examples), JSON.stringify(run.examples));
  }
  for (const [backbone, file] of Object.entries(run.results.files.attention ?? {})) {
    const maps = run.attention[backbone as Backbone];
    if (file && maps) await Deno.writeTextFile(join(dir, file), JSON.stringify(maps));
  }
}
