/**
 * The main job: the paper's experiments in miniature on the built-in phantom.
 *
 * 1. Render labelled phantom patients (13 views, split by patient), an EF cohort (A4C + A2C only) and paediatric
 *    patients.
 * 2. Pretrain the same ViT twice on unlabelled phantom clips — V-JEPA (latent prediction, EMA target) and pixel MAE —
 *    with the same data, augmentation, initialisation and step budget.
 * 3. Freeze each backbone — JEPA's target and online encoders, MAE, three random initialisations (one is the
 *    pretraining init) and raw pixels as the controls — encode every clip once, and probe it under the fair
 *    protocol (standardised features; attentive, linear and kNN probes): view classification at 1-shot, 5-shot,
 *    1 %, 10 % and 100 % of the labels over several label draws, EF regression (MAE, R², AUROC), zero-shot
 *    paediatric EF, robustness to the six reference perturbations, and the RVSP-like multi-view task with its
 *    ablations.
 * 4. Judge each of the paper's claims with paired bootstraps (reproduced / not reproduced / inconclusive), write
 *    `results.json` and the report (`<run>/report/index.html` + PNG figures).
 *
 * Every finished stage is recorded in results.json; running the same command again resumes from there. `--seed N`
 * changes every seed of the run (patients, initialisations, masks, label draws, perturbations, bootstraps).
 *
 * `--speckle S` renders every clip (pretraining and probes) with the phantom's speckle strength S (0 none, 1 as
 * simulated, 2 twice the contrast), so claim (a) can be read as an interaction across runs. `--nuisance clinical`
 * narrows the phantom's acquisition nuisances (gain, dynamic range, TGC, depth, probe placement) from their full
 * simulated spread to one department's.
 *
 *   deno task demo [--preset quick|default|gpu] [--seed N] [--speckle S] [--nuisance full|clinical|none]
 *     [--out runs/demo] [--fresh]
 */

import { parseArgs } from "node:util";
import { ProgressBar } from "@echojepa/core";
import { NUISANCE_LEVELS, type NuisanceLevel } from "@echojepa/phantom";
import { perturbClip, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import { type AttentiveProbe, FROZEN_PROBE_KINDS, meanPoolTokens, silhouetteSamples } from "@echojepa/probe";
import { describeBackend, init, type Module } from "@echojepa/tensor";
import type { VisionTransformer } from "@echojepa/vit";
import { loadBackbone, pretrainBackbone, pretrainedBackbones, randomBackbone } from "./demo/backbones.ts";
import { attentionClips, attentionMaps } from "./demo/attention.ts";
import { learningCurve } from "./demo/curve.ts";
import { buildDemoData, EF_VIEWS } from "./demo/data.ts";
import { backboneFeatures } from "./demo/features.ts";
import { DEMO_PRESETS } from "./demo/presets.ts";
import { type Backbone, BACKBONES, type DemoResults, type EfProbe } from "./demo/results.ts";
import { runSeeds } from "./demo/seeds.ts";
import { backboneInputs, efExperiments, rvspExperiments, viewExperiments } from "./demo/tasks.ts";
import { summaryTable, verdictLines } from "./demo/summary.ts";
import { demoVerdicts } from "./demo/verdicts.ts";
import { buildReport } from "./report/build_report.ts";
import { bundleClipSettings, efHeadSpec, viewHeadSpec } from "./demo/bundle.ts";
import { type HeadName, type HeadSpec, writeModelBundle } from "./lib/model_bundle.ts";
import { buildProbe } from "./lib/probe_spec.ts";
import { ensureWritableDir, oneLine } from "./lib/cli.ts";

const { values } = parseArgs({
  options: {
    preset: { type: "string", default: "default" },
    seed: { type: "string", default: "0" },
    speckle: { type: "string", default: "1" },
    nuisance: { type: "string" },
    out: { type: "string" },
    fresh: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(
    `deno task demo [--preset ${
      Object.keys(DEMO_PRESETS).join("|")
    }] [--seed N] [--speckle S] [--nuisance full|clinical|none] [--out DIR] [--fresh]`,
  );
  Deno.exit(0);
}
const named = DEMO_PRESETS[values.preset!];
if (!named) {
  console.error(
    `demo: unknown preset "${values.preset}"; choose one of ${Object.keys(DEMO_PRESETS).join(", ")}`,
  );
  Deno.exit(2);
}
const seedValue = Number(values.seed);
if (!(Number.isInteger(seedValue) && seedValue >= 0)) {
  console.error(`demo: --seed: expected an integer ≥ 0, got "${values.seed}"`);
  Deno.exit(2);
}
const speckle = Number(values.speckle);
if (!(speckle >= 0 && speckle <= 4)) {
  console.error(`demo: --speckle: expected a strength in [0, 4], got "${values.speckle}"`);
  Deno.exit(2);
}
const nuisance = (values.nuisance ?? named.nuisance) as NuisanceLevel;
if (!NUISANCE_LEVELS.includes(nuisance)) {
  console.error(`demo: --nuisance: expected one of ${NUISANCE_LEVELS.join(", ")}, got "${values.nuisance}"`);
  Deno.exit(2);
}
const preset = { ...named, speckle, nuisance };
const seeds = runSeeds(seedValue);
const runDir = values.out ??
  `runs/demo-${preset.name}${seeds.run === 0 ? "" : `-seed${seeds.run}`}${
    speckle === 1 ? "" : `-speckle${speckle}`
  }${nuisance === named.nuisance ? "" : `-nuisance-${nuisance}`}`;
await ensureWritableDir("out", runDir).catch((e) => { // before any work: one line, exit 1
  console.error(`demo: ${oneLine(e)}`);
  Deno.exit(1);
});
if (values.fresh) await Deno.remove(runDir, { recursive: true }).catch(() => {});
await Deno.mkdir(`${runDir}/backbones`, { recursive: true });

const tty = Deno.stderr.isTerminal();
const pct = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));
const log = (msg: string): void => console.error(msg);
const resultsPath = `${runDir}/results.json`;

async function loadResults(): Promise<DemoResults | null> {
  try {
    return JSON.parse(await Deno.readTextFile(resultsPath)) as DemoResults;
  } catch {
    return null;
  }
}

const backend = await init();
const previous = await loadResults();
if (
  previous &&
  (previous.preset !== preset.name || (previous.seed ?? 0) !== seeds.run ||
    (previous.speckle ?? 1) !== speckle || (previous.nuisance ?? "full") !== nuisance)
) {
  console.error(
    `demo: ${runDir} holds a "${previous.preset}" run with seed ${previous.seed ?? 0}, speckle ${
      previous.speckle ?? 1
    } and ${previous.nuisance ?? "full"} nuisances; use --out for another folder or --fresh to start over`,
  );
  Deno.exit(2);
}
const results: DemoResults = previous ?? {
  preset: preset.name,
  seed: seeds.run,
  speckle,
  nuisance,
  updatedAt: "",
  adapter: describeBackend(backend),
  stageSeconds: {},
  data: {
    views: [],
    frames: preset.frames,
    size: preset.size,
    fps: preset.fps,
    patients: { train: 0, val: 0, test: 0, pediatric: 0 },
    clips: { train: 0, val: 0, test: 0, pediatric: 0 },
  },
  encoder: { ...preset.encoder, params: 0 },
  pretraining: {},
  viewClassification: {},
  probes: {},
  ef: {},
  rvsp: {},
  pediatric: {},
  robustness: {},
  clusters: {},
  files: { embeddings: {} },
};
results.adapter = describeBackend(backend);

async function save(): Promise<void> {
  results.updatedAt = new Date().toISOString();
  await Deno.writeTextFile(`${resultsPath}.tmp`, JSON.stringify(results, null, 1));
  await Deno.rename(`${resultsPath}.tmp`, resultsPath);
}

/** Runs a stage unless results.json says it is done; records its duration. */
async function stage(name: string, fn: () => Promise<void>): Promise<void> {
  if (name in results.stageSeconds) {
    log(`✓ ${name} (done in an earlier run)`);
    return;
  }
  log(`▶ ${name}`);
  const t0 = performance.now();
  await fn();
  results.stageSeconds[name] = Math.round((performance.now() - t0) / 100) / 10;
  await save();
  log(`✓ ${name} in ${results.stageSeconds[name]} s`);
}

function bar(total: number, label: string): (done: number, tot?: number) => void {
  const b = new ProgressBar(total, { label, enabled: tty });
  return (done: number, tot = total) => {
    b.update(done, tot);
    if (done >= tot) b.finish();
  };
}

log(
  `EchoJEPA demo, preset "${preset.name}", seed ${seeds.run}, speckle ${speckle}, ${nuisance} nuisances, run folder ${runDir}, backend ${
    describeBackend(backend)
  }`,
);
const started = performance.now();

// 1. Data (regenerated each run: seeded and fast).
const t0 = performance.now();
const data = await buildDemoData(preset, seeds, bar(1, "rendering phantom clips"));
const patients = (clips: { patientId: string }[]) => new Set(clips.map((c) => c.patientId)).size;
results.data.views = [...new Set(data.train.map((c) => c.view))];
results.data.patients = {
  train: patients(data.train),
  val: patients(data.val),
  test: patients(data.test),
  pediatric: patients(data.pediatric),
};
results.data.clips = {
  train: data.train.length,
  val: data.val.length,
  test: data.test.length,
  pediatric: data.pediatric.length,
};
results.data.ef = {
  patients: { train: patients(data.ef.train), val: patients(data.ef.val), test: patients(data.ef.test) },
  clips: { train: data.ef.train.length, val: data.ef.val.length, test: data.ef.test.length },
};
const efCounts = results.data.ef;
log(
  `data: ${data.train.length}/${data.val.length}/${data.test.length} clips (train/val/test) from ` +
    `${results.data.patients.train}/${results.data.patients.val}/${results.data.patients.test} adult patients; ` +
    `EF ${efCounts.clips.train}/${efCounts.clips.val}/${efCounts.clips.test} clips from ` +
    `${efCounts.patients.train}/${efCounts.patients.val}/${efCounts.patients.test} patients; ` +
    `${data.pediatric.length} paediatric clips; in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// 2. Backbones: the pretrained encoders, three random initialisations (the first is the pretraining init) and
// raw pixels.
const encoders = new Map<Backbone, VisionTransformer | "pixels">();
for (const objective of ["jepa", "mae"] as const) {
  await stage(`pretrain-${objective}`, async () => {
    const { encoders: trained, record } = await pretrainBackbone(
      preset,
      objective,
      runDir,
      seeds.pretrain,
      tty,
    );
    results.pretraining[objective] = record;
    for (const [name, encoder] of trained) encoders.set(name, encoder);
  });
  for (const name of pretrainedBackbones(objective)) {
    if (!encoders.has(name)) encoders.set(name, await loadBackbone(runDir, name));
  }
}
const randomNames: Backbone[] = ["random", "random-2", "random-3"];
randomNames.forEach((name, i) => encoders.set(name, randomBackbone(preset, seeds.randomInits[i])));
encoders.set("pixels", "pixels");

// The learning curves: the probed encoder at the init ("random") and at each kept checkpoint, cheap probes only.
for (const objective of ["jepa", "mae"] as const) {
  await stage(`curve-${objective}`, async () => {
    const curve = await learningCurve(
      preset,
      data,
      objective,
      `${runDir}/pretrain-${objective}`,
      encoders.get("random") as VisionTransformer,
      seeds.labelDraws,
      {
        onPoint: (pt) =>
          log(
            `  curve ${objective} step ${pt.step}: ` +
              Object.entries(pt.accuracy).map(([budget, a]) =>
                `${budget} linear ${pct(a.linear)} kNN ${pct(a.knn)}`
              ).join(", "),
          ),
      },
    );
    results.pretraining[objective] = { ...results.pretraining[objective]!, curve };
  });
}
results.encoder.params = (encoders.get("random") as VisionTransformer).parameterCount();

// The model bundle for the browser page: the JEPA encoder with its full-label view probe and its EF probe.
const BUNDLE_BACKBONE: Backbone = "jepa";
/** Backbones whose all-labels view probe leaves attention maps for the report. */
const ATTENTION_BACKBONES: readonly Backbone[] = ["jepa", "mae", "random"];
const bundleHeads: Partial<Record<HeadName, { spec: HeadSpec; probe: Module }>> = {};
async function writeBundle(encoder: VisionTransformer): Promise<void> {
  const bytes = await writeModelBundle(encoder, bundleClipSettings(preset), bundleHeads, {
    run: runDir,
    preset: preset.name,
    seed: seeds.run,
    backbone: BUNDLE_BACKBONE,
  });
  await Deno.writeFile(`${runDir}/model.safetensors`, bytes);
  results.files.model = "model.safetensors";
  bundleHeads.view?.probe.dispose();
}

// 3. Probes per backbone, all under the fair protocol on standardised features.
for (const b of BACKBONES) {
  const encoder = encoders.get(b)!;
  const needed = [`views-${b}`, `ef-${b}`, `rvsp-${b}`].some((s) => !(s in results.stageSeconds));
  if (!needed) {
    log(`✓ probes of ${b} (done in an earlier run)`);
    continue;
  }
  log(`▶ features of ${b}`);
  const tf = performance.now();
  const f = await backboneFeatures(preset, seeds, data, encoder, b, runDir, tty);
  const x = backboneInputs(preset, f);
  log(`  features of ${b} in ${((performance.now() - tf) / 1000).toFixed(1)} s`);
  const embPath = `embeddings-${b}.json`;
  // The embedding map and the view silhouette read each test clip's mean standardised token, as the paper's map.
  const pooled = meanPoolTokens(x.test.tokens);
  await Deno.writeTextFile(
    `${runDir}/${embPath}`,
    JSON.stringify({
      features: Array.from(
        { length: pooled.count },
        (_, i) => Array.from(pooled.data.subarray(i * pooled.dim, (i + 1) * pooled.dim)),
      ),
      views: data.test.map((c) => c.view),
    }),
  );
  results.files.embeddings[b] = embPath;
  results.clusters = {
    ...results.clusters,
    [b]: { silhouette: silhouetteSamples(pooled.data, pooled.dim, data.test.map((c) => c.viewIndex)) },
  };
  await stage(`views-${b}`, async () => {
    // The all-labels probe's attention on a few test clips, for the report.
    const onProbe = async (probe: AttentiveProbe) => {
      if (ATTENTION_BACKBONES.includes(b)) {
        const maps = await attentionMaps(preset, probe, data.test, x.test.tokens, attentionClips(data.test));
        await Deno.writeTextFile(`${runDir}/attention-${b}.json`, JSON.stringify(maps));
        results.files.attention = { ...results.files.attention, [b]: `attention-${b}.json` };
      }
      if (b === BUNDLE_BACKBONE) {
        // A copy: the trained probe is released after this callback, the bundle is written after the EF stage.
        const spec = viewHeadSpec(preset, f.train.dim, x.stats);
        const copy = buildProbe(spec.probe, false);
        copy.loadStateDict(probe.stateDict());
        bundleHeads.view = { spec, probe: copy };
      }
    };
    const out = await viewExperiments(preset, data, x, seeds.labelDraws, onProbe, (name, scores) =>
      log(
        `  view accuracy ${b} ${name}: ` +
          FROZEN_PROBE_KINDS.map((k) =>
            `${k} ${pct(scores[k]?.accuracy.mean)} ± ${pct(scores[k]?.accuracy.std)}`
          ).join(", "),
      ));
    results.viewClassification[b] = out.headline;
    results.probes = { ...results.probes, [b]: out.probes };
  });
  await stage(`ef-${b}`, async () => {
    // Copies of both trained EF probes (they are released after the callback); the bundle takes the chosen one.
    const efCopies: Partial<Record<EfProbe, { spec: HeadSpec; probe: Module }>> = {};
    const r = await efExperiments(
      preset,
      data,
      x,
      seeds.bootstrap,
      b !== BUNDLE_BACKBONE ? undefined : (kind, probe, scaler) => {
        const spec = efHeadSpec(preset, kind, f.train.dim, scaler, x.stats);
        const copy = buildProbe(spec.probe, true, spec.timePooling);
        copy.loadStateDict(probe.stateDict());
        efCopies[kind] = { spec, probe: copy };
        return Promise.resolve();
      },
    );
    if (b === BUNDLE_BACKBONE) {
      bundleHeads.ef = efCopies[r.ef.probe ?? "attentive"];
      await writeBundle(encoder as VisionTransformer);
      for (const c of Object.values(efCopies)) c.probe.dispose();
    }
    results.ef[b] = r.ef;
    results.pediatric[b] = r.pediatric;
    results.robustness[b] = r.robustness;
    log(
      `  EF ${b}: ${r.ef.probe} probe MAE ${r.ef.mae.toFixed(2)} (attentive ${
        r.ef.attentive!.mae.toFixed(2)
      }, ` +
        `linear ${r.ef.linear!.mae.toFixed(2)}; mean predictor ${
          (r.ef.target.reduce((s, t) => s + Math.abs(t - r.ef.trainMean!), 0) / r.ef.target.length).toFixed(2)
        }), ` +
        `R² ${r.ef.r2.toFixed(2)}; paediatric MAE ${r.pediatric.pediatricMae.toFixed(2)}; robustness ` +
        `${r.robustness.averageDegradation.toFixed(1)} %`,
    );
  });
  await stage(`rvsp-${b}`, async () => {
    results.rvsp[b] = await rvspExperiments(preset, data, x);
    log(`  RVSP ${b}: multi-view MAE ${results.rvsp[b]!["multi-view"]!.mae.toFixed(2)}`);
  });
}

// Example clip under each perturbation, for the report (the same perturbation the robustness probe saw).
{
  const c = data.test.find((x) => EF_VIEWS.includes(x.view))!;
  const examples = {
    clip: {
      frames: Array.from(c.clip.data as Uint8Array),
      t: c.clip.shape[0],
      h: c.clip.shape[1],
      w: c.clip.shape[2],
    },
    conditions: REFERENCE_CONDITION_IDS.map((id) => ({
      name: id,
      frames: Array.from(perturbClip(c.clip, id, { clipId: c.id, seed: seeds.perturb }).data as Uint8Array),
    })),
  };
  await Deno.writeTextFile(`${runDir}/examples.json`, JSON.stringify(examples));
  results.files.examples = "examples.json";
}

// 4. The verdicts, from every backbone's results.
results.verdicts = demoVerdicts(results, seeds.bootstrap);
await save();
for (const e of encoders.values()) if (e !== "pixels") e.dispose();

const report = await buildReport(runDir, { onProgress: (m) => log(`  report: ${m}`) });
if (report.warning) log(`report: ${report.warning}`);
console.log(summaryTable(results));
console.log(verdictLines(results));
console.log(
  `\nwall time ${((performance.now() - started) / 1000).toFixed(0)} s` +
    `\nresults: ${resultsPath}\nreport:  ${report.html} (+ ${report.pngs.length} PNG figures)`,
);
// The compute backend's worker threads (and the phantom's) would keep the process alive.
Deno.exit(0);
