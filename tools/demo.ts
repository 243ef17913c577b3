/**
 * The main job: the paper's experiments in miniature on the built-in phantom.
 *
 * 1. Render labelled phantom patients (13 views, split by patient) and paediatric patients.
 * 2. Pretrain the same ViT twice on unlabelled phantom clips — V-JEPA (latent prediction, EMA target) and pixel MAE —
 *    with the same data, augmentation and step budget; keep a random initialisation as the floor.
 * 3. Freeze each backbone, encode every clip once, and train attentive probes: view classification at 1 %, 10 % and
 *    100 % of the labels, EF regression (MAE, R², AUROC), zero-shot paediatric EF, robustness to the six reference
 *    perturbations, and the RVSP-like multi-view task with its ablations.
 * 4. Write `results.json` and the report (`<run>/report/index.html` + PNG figures).
 *
 * Every finished stage is recorded in results.json; running the same command again resumes from there.
 *
 *   deno task demo [--preset quick|default|gpu] [--out runs/demo] [--fresh]
 */

import { parseArgs } from "node:util";
import { ProgressBar } from "@echojepa/core";
import { perturbClip, REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import type { AttentiveProbe } from "@echojepa/probe";
import { describeBackend, init, type Module } from "@echojepa/tensor";
import type { VisionTransformer } from "@echojepa/vit";
import { loadBackbone, pretrainBackbone, randomBackbone } from "./demo/backbones.ts";
import { attentionClips, attentionMaps } from "./demo/attention.ts";
import { buildDemoData, EF_VIEWS } from "./demo/data.ts";
import { backboneFeatures, pooled } from "./demo/features.ts";
import { DEMO_PRESETS } from "./demo/presets.ts";
import { type Backbone, BACKBONES, type DemoResults } from "./demo/results.ts";
import { efExperiments, rvspExperiments, viewClassification } from "./demo/tasks.ts";
import { summaryTable } from "./demo/summary.ts";
import { buildReport } from "./report/build_report.ts";
import { bundleClipSettings, efHeadSpec, viewHeadSpec } from "./demo/bundle.ts";
import { type HeadName, type HeadSpec, writeModelBundle } from "./lib/model_bundle.ts";
import { buildProbe } from "./lib/probe_spec.ts";

const { values } = parseArgs({
  options: {
    preset: { type: "string", default: "default" },
    out: { type: "string" },
    fresh: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`deno task demo [--preset ${Object.keys(DEMO_PRESETS).join("|")}] [--out DIR] [--fresh]`);
  Deno.exit(0);
}
const preset = DEMO_PRESETS[values.preset!];
if (!preset) {
  console.error(
    `demo: unknown preset "${values.preset}"; choose one of ${Object.keys(DEMO_PRESETS).join(", ")}`,
  );
  Deno.exit(2);
}
const runDir = values.out ?? `runs/demo-${preset.name}`;
if (values.fresh) await Deno.remove(runDir, { recursive: true }).catch(() => {});
await Deno.mkdir(`${runDir}/backbones`, { recursive: true });

const tty = Deno.stderr.isTerminal();
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
if (previous && previous.preset !== preset.name) {
  console.error(
    `demo: ${runDir} holds a "${previous.preset}" run; use --out for another folder or --fresh to start over`,
  );
  Deno.exit(2);
}
const results: DemoResults = previous ?? {
  preset: preset.name,
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
  ef: {},
  rvsp: {},
  pediatric: {},
  robustness: {},
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

log(`EchoJEPA demo, preset "${preset.name}", run folder ${runDir}, backend ${describeBackend(backend)}`);

// 1. Data (regenerated each run: seeded and fast).
const t0 = performance.now();
const data = await buildDemoData(preset, bar(1, "rendering phantom clips"));
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
log(
  `data: ${data.train.length}/${data.val.length}/${data.test.length} clips (train/val/test) from ` +
    `${results.data.patients.train}/${results.data.patients.val}/${results.data.patients.test} adult patients, ` +
    `${data.pediatric.length} paediatric clips, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// 2. Backbones.
const encoders = new Map<Backbone, VisionTransformer>();
for (const objective of ["jepa", "mae"] as const) {
  await stage(`pretrain-${objective}`, async () => {
    const { encoder, record } = await pretrainBackbone(preset, objective, runDir, tty);
    results.pretraining[objective] = record;
    encoders.set(objective, encoder);
  });
  if (!encoders.has(objective)) encoders.set(objective, await loadBackbone(runDir, objective));
}
encoders.set("random", randomBackbone(preset));
results.encoder.params = encoders.get("random")!.parameterCount();

// The model bundle for the browser page: the JEPA encoder with its full-label view probe and its EF probe.
const BUNDLE_BACKBONE: Backbone = "jepa";
const bundleHeads: Partial<Record<HeadName, { spec: HeadSpec; probe: Module }>> = {};
async function writeBundle(encoder: VisionTransformer): Promise<void> {
  const bytes = await writeModelBundle(encoder, bundleClipSettings(preset), bundleHeads, {
    run: runDir,
    preset: preset.name,
    backbone: BUNDLE_BACKBONE,
  });
  await Deno.writeFile(`${runDir}/model.safetensors`, bytes);
  results.files.model = "model.safetensors";
  bundleHeads.view?.probe.dispose();
}

// 3. Probes per backbone.
for (const b of BACKBONES) {
  const encoder = encoders.get(b)!;
  const needed = [`views-${b}`, `ef-${b}`, `rvsp-${b}`].some((s) => !(s in results.stageSeconds));
  if (!needed) {
    log(`✓ probes of ${b} (done in an earlier run)`);
    continue;
  }
  log(`▶ features of ${b}`);
  const f = await backboneFeatures(preset, data, encoder, b, runDir, bar(1, `encoding clips (${b})`));
  const embPath = `embeddings-${b}.json`;
  await Deno.writeTextFile(
    `${runDir}/${embPath}`,
    JSON.stringify({ features: pooled(f.test), views: data.test.map((c) => c.view) }),
  );
  results.files.embeddings[b] = embPath;
  await stage(`views-${b}`, async () => {
    const out: Record<string, Awaited<ReturnType<typeof viewClassification>>> = {};
    for (
      const [label, fraction, seeds] of [
        ["1%", 0.01, preset.fractionSeeds],
        ["10%", 0.1, preset.fractionSeeds],
        ["100%", 1, [1]],
      ] as const
    ) {
      // The full-label probe's attention on a few test clips, for the report.
      const onProbe = fraction < 1 ? undefined : async (probe: AttentiveProbe) => {
        const maps = await attentionMaps(preset, probe, data.test, f.test, attentionClips(data.test));
        await Deno.writeTextFile(`${runDir}/attention-${b}.json`, JSON.stringify(maps));
        results.files.attention = { ...results.files.attention, [b]: `attention-${b}.json` };
        if (b === BUNDLE_BACKBONE) {
          // A copy: the trained probe is released after this callback, the bundle is written after the EF stage.
          const spec = viewHeadSpec(preset, f.train.dim);
          const copy = buildProbe(spec.probe, false);
          copy.loadStateDict(probe.stateDict());
          bundleHeads.view = { spec, probe: copy };
        }
      };
      out[label] = await viewClassification(preset, data, f, fraction, [...seeds], onProbe);
      log(
        `  view accuracy ${b} ${label}: ${out[label].accuracy.mean.toFixed(1)} ± ${
          out[label].accuracy.std.toFixed(1)
        }`,
      );
    }
    results.viewClassification[b] = out;
  });
  await stage(`ef-${b}`, async () => {
    const r = await efExperiments(
      preset,
      data,
      f,
      b !== BUNDLE_BACKBONE ? undefined : async (probe, scaler) => {
        bundleHeads.ef = { spec: efHeadSpec(preset, f.train.dim, scaler), probe };
        await writeBundle(encoder);
      },
    );
    results.ef[b] = r.ef;
    results.pediatric[b] = r.pediatric;
    results.robustness[b] = r.robustness;
    log(
      `  EF ${b}: MAE ${r.ef.mae.toFixed(2)}, R² ${r.ef.r2.toFixed(2)}; paediatric MAE ${
        r.pediatric.pediatricMae.toFixed(2)
      }; robustness ${r.robustness.averageDegradation.toFixed(1)} %`,
    );
  });
  await stage(`rvsp-${b}`, async () => {
    results.rvsp[b] = await rvspExperiments(preset, data, f);
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
      frames: Array.from(perturbClip(c.clip, id, { clipId: c.id, seed: 0 }).data as Uint8Array),
    })),
  };
  await Deno.writeTextFile(`${runDir}/examples.json`, JSON.stringify(examples));
  results.files.examples = "examples.json";
}
await save();
for (const e of encoders.values()) e.dispose();

const report = await buildReport(runDir, { onProgress: (m) => log(`  report: ${m}`) });
if (report.warning) log(`report: ${report.warning}`);
console.log(summaryTable(results));
console.log(`\nresults: ${resultsPath}\nreport:  ${report.html} (+ ${report.pngs.length} PNG figures)`);
