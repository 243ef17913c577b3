/**
 * Chooses the demo's pretraining regime by measurement: each regime pretrains the default preset's encoder from the
 * same initialisation and is scored by the learning curve's cheap probes (linear and kNN, 5-shot and all labels)
 * on the VALIDATION patients — the test patients the report reads are never looked at here.
 *
 *   deno run -A bench/pretrain_regimes.ts [--regimes a,b,…] [--objective jepa|mae|both] [--speckle S]
 *     [--out bench/pretrain_regimes.jsonl]
 *
 * `--speckle` renders every clip (pretraining and probes) at that speckle strength; with `--objective both` a sweep
 * over strengths reads claim (a) as an interaction: the JEPA–MAE gap at each strength.
 *
 * Each finished regime is appended to the output file (one JSON object per line) with its wall time and the load
 * average, so a long sweep can be resumed regime by regime and read while it runs.
 */

import { parseArgs } from "node:util";
import { type PretrainConfigOverrides, REFERENCE_MASK_GENERATORS } from "@echojepa/jepa";
import { describeBackend, init } from "@echojepa/tensor";
import { pretrainBackbone, randomBackbone } from "../tools/demo/backbones.ts";
import { type CurvePoint, learningCurve } from "../tools/demo/curve.ts";
import { buildDemoData } from "../tools/demo/data.ts";
import { DEMO_PRESETS, type DemoPreset } from "../tools/demo/presets.ts";
import { runSeeds } from "../tools/demo/seeds.ts";

/** A regime: what it changes in the default preset. */
type Regime = Partial<Pick<DemoPreset, "pretrainSteps" | "pretrainBatch" | "pretrainClips">> & {
  pretrain?: PretrainConfigOverrides;
};

// Masks sized for a 6×6 patch grid: the reference's 8 × 0.15 + 2 × 0.7 blocks leave a context of a few tokens.
const SMALL_MASKS = [
  { ...REFERENCE_MASK_GENERATORS[0], spatialScale: [0.1, 0.1] as [number, number] },
  { ...REFERENCE_MASK_GENERATORS[1], spatialScale: [0.4, 0.4] as [number, number] },
];

const REGIMES: Record<string, Regime> = {
  // The default preset before this sweep: a pool of 256 clips, batch 4, 150 steps, constant momentum 0.998.
  baseline: {},
  stream: { pretrainClips: "stream" },
  "stream-b4-600-ramp": {
    pretrainClips: "stream",
    pretrainSteps: 600,
    pretrain: { optim: { ema: [0.99, 0.999] } },
  },
  "stream-b16-600": { pretrainClips: "stream", pretrainBatch: 16, pretrainSteps: 600 },
  "stream-b16-600-ramp": {
    pretrainClips: "stream",
    pretrainBatch: 16,
    pretrainSteps: 600,
    pretrain: { optim: { ema: [0.99, 0.999] } },
  },
  "stream-b16-600-ramp-small": {
    pretrainClips: "stream",
    pretrainBatch: 16,
    pretrainSteps: 600,
    pretrain: { optim: { ema: [0.99, 0.999] }, masks: SMALL_MASKS },
  },
  "stream-b4-1200-ramp": {
    pretrainClips: "stream",
    pretrainSteps: 1200,
    pretrain: { optim: { ema: [0.99, 0.999] } },
  },
  "stream-b8-1200-ramp": {
    pretrainClips: "stream",
    pretrainBatch: 8,
    pretrainSteps: 1200,
    pretrain: { optim: { ema: [0.99, 0.999] } },
  },
};

const { values } = parseArgs({
  options: {
    regimes: { type: "string", default: Object.keys(REGIMES).join(",") },
    objective: { type: "string", default: "jepa" },
    speckle: { type: "string", default: "1" },
    out: { type: "string", default: "bench/pretrain_regimes.jsonl" },
  },
});
const names = values.regimes!.split(",");
for (const n of names) if (!(n in REGIMES)) throw new Error(`unknown regime "${n}": ${Object.keys(REGIMES)}`);
const objectives = values.objective === "both"
  ? ["jepa", "mae"] as const
  : [values.objective as "jepa" | "mae"];

const backend = await init();
const base: DemoPreset = { ...DEMO_PRESETS.default, speckle: Number(values.speckle) };
const seeds = runSeeds(0);
const data = await buildDemoData(base, seeds, () => {});
const initEncoder = randomBackbone(base, seeds.randomInits[0]);
const load = () => Deno.loadavg()[0];

for (const name of names) {
  const r = REGIMES[name];
  const preset: DemoPreset = {
    ...base,
    ...r,
    pretrain: { ...base.pretrain, ...r.pretrain, optim: { ...base.pretrain.optim, ...r.pretrain?.optim } },
  };
  for (const objective of objectives) {
    const dir = await Deno.makeTempDir({ prefix: `regime-${name}-${objective}-` });
    await Deno.mkdir(`${dir}/backbones`);
    const loadBefore = load();
    const t0 = performance.now();
    const { encoders, record } = await pretrainBackbone(preset, objective, dir, seeds.pretrain, false);
    const pretrainSeconds = (performance.now() - t0) / 1000;
    const loadAfter = load();
    for (const e of encoders.values()) e.dispose();
    const curve: CurvePoint[] = await learningCurve(
      preset,
      data,
      objective,
      `${dir}/pretrain-${objective}`,
      initEncoder,
      seeds.labelDraws,
      {
        split: "val",
      },
    );
    const row = {
      regime: name,
      objective,
      speckle: preset.speckle,
      steps: preset.pretrainSteps,
      batch: preset.pretrainBatch,
      clips: preset.pretrainClips,
      ema: preset.pretrain.optim?.ema,
      pretrainSeconds: Math.round(pretrainSeconds * 10) / 10,
      load: [Math.round(loadBefore * 100) / 100, Math.round(loadAfter * 100) / 100],
      finalLoss: record.lossHistory.at(-1),
      finalTargetStd: record.targetStdHistory.at(-1),
      curve,
      backend: describeBackend(backend),
      at: new Date().toISOString(),
    };
    await Deno.writeTextFile(values.out!, JSON.stringify(row) + "\n", { append: true });
    console.log(
      `${name} ${objective} speckle ${preset.speckle}: ${row.pretrainSeconds} s (load ${
        row.load.join("→")
      }), val ` +
        curve.map((pt) =>
          `@${pt.step} ` +
          Object.entries(pt.accuracy).map(([b, a]) =>
            `${b} lin ${a.linear?.toFixed(1)} knn ${a.knn?.toFixed(1)}`
          ).join(" / ")
        ).join(" | "),
    );
    await Deno.remove(dir, { recursive: true });
  }
}
