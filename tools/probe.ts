/**
 * `deno task probe`: trains a probe on a frozen encoder — the EchoJEPA protocol (features extracted once and cached,
 * a grid of heads over learning rate × weight decay, best head chosen on validation, reported on test) — and saves
 * it for `deno task eval` and `deno task robustness`.
 *
 *     deno task probe --encoder runs/micro --phantom 20 --out runs/probe-view
 *     deno task probe --encoder runs/micro --phantom 20 --task regression --out runs/probe-ef
 *     deno task probe --encoder vitl.safetensors --config large --manifest EchoNet-Dynamic/FileList.csv \
 *       --task regression --resolution 112 --out runs/lvef
 *     deno task probe --encoder runs/vitl/checkpoints/latest.json --train views_train.csv --val views_val.csv \
 *       --test views_test.csv --classes 13 --fraction 0.01 --seed 1 --out runs/views-1pct
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type FeatureSet,
  fitChannelStats,
  type ProbeTask,
  saveTorchProbeFile,
  standardiseFeatures,
  stratifiedSubset,
  tokenBatch,
  trainProbes,
} from "@echojepa/probe";
import { describeBackend, init } from "@echojepa/tensor";
import {
  CliError,
  ensureParent,
  ensureWritableDir,
  numberFlag,
  numberListFlag,
  progressBar,
  required,
  runCli,
  toCsv,
  writeJson,
} from "./lib/cli.ts";
import { type LoadedEncoder, loadEncoder } from "./lib/encoder.ts";
import {
  cachedEncodeSamples,
  digestOf,
  type EncodedSamples,
  encodeSamples,
  fileStamp,
} from "./lib/features.ts";
import { decodeOutputs, taskMetrics } from "./lib/outputs.ts";
import { PHANTOM_VIEW_NAMES, phantomSamples } from "./lib/phantom_samples.ts";
import { buildProbe, PROBE_FORMAT, type ProbeKind, type ProbeSpec, saveProbeDir } from "./lib/probe_files.ts";
import { standardizationOf } from "./lib/probe_spec.ts";
import { type ClipSettings, manifestSamples, type Sample } from "./lib/samples.ts";

const HELP =
  `Usage: deno task probe --encoder PATH (--train M --val M --test M | --manifest M | --phantom N) --out DIR

Trains a probe on a frozen encoder and saves it (probe.safetensors, probe.json, metrics.json, and probe.pt in the
reference's PyTorch layout) in --out.

Encoder:
  --encoder PATH        pretraining run folder, checkpoint .json, or encoder .safetensors
  --key NAME            module of a multi-module checkpoint (default target_encoder, else encoder)
  --config C            architecture of a .safetensors without one: variant (large, giant, …), VitConfig JSON,
                        or Hugging Face config.json
Data (labels: class index or regression target; paths relative to the manifest):
  --train/--val/--test M  reference CSV ("<path> <label>"), EchoNet FileList.csv (its Split column is honoured)
                        or a folder; splits of a FileList.csv may all be the same file
  --manifest M          shorthand for the same M as --train, --val and --test (needs a Split column)
  --label-column NAME   FileList.csv column used as the label (default EF)
  --phantom N           instead: N synthetic patients (classification: 13 views; regression: A4C EF)
  --phantom-size PX     side of the phantom's frames (default 112)
Task and probe:
  --task T              classification (default) | regression
  --classes K           number of classes (default: largest label + 1)
  --probe P             attentive (default, the reference) | linear | mlp
  --depth D             attentive blocks: D−1 self-attention + 1 cross-attention (default 4)
  --heads H             attention heads (default 16; must divide the encoder width)
  --epochs E            epochs (default 20)
  --lrs LIST            learning rates of the grid (attentive default 1e-4,5e-5; linear/mlp 1e-3,5e-4,1e-4)
  --wds LIST            weight decays of the grid (attentive default 0.01,0.1,0.4; linear/mlp 0,0.001,0.01)
  --batch B             batch size (default 8)
  --fraction F          keep this fraction of training labels, stratified by class (default 1)
  --seed S              seed of the subset and of training (default 1)
  --no-standardize      train on raw features (default: every channel standardised with the training split's
                        statistics, kept in probe.json; the reference's PyTorch evaluation reads raw features)
Clips (defaults: the encoder's pretraining settings, else 16 frames at 224 px):
  --frames N            frames per clip
  --fps X               target clip rate (frame step = ⌊⌈file fps⌉ / X⌋), or
  --frame-step K        raw frames between sampled frames (default 2, or the pretraining step)
  --segments S          windows per video, tokens concatenated (default 2)
  --resolution R        model input side in pixels
  --no-sector           do not mask/crop the ultrasound sector (files already cropped)
Output:
  --out DIR             output folder (features are cached in DIR/features)
  --no-progress         no progress bars
  -h, --help            this help
`;

/** Parsed command line of `deno task probe`. */
export interface ProbeArgs {
  encoder: string;
  key?: string;
  config?: string;
  train?: string;
  val?: string;
  test?: string;
  phantom?: number;
  phantomSize: number;
  labelColumn?: string;
  task: "classification" | "regression";
  classes?: number;
  probe: ProbeKind;
  depth: number;
  heads: number;
  epochs: number;
  lrs?: number[];
  wds?: number[];
  batch: number;
  fraction: number;
  seed: number;
  standardize: boolean;
  frames?: number;
  fps?: number;
  frameStep?: number;
  segments: number;
  resolution?: number;
  sector: boolean;
  out: string;
  progress: boolean;
}

/** Parses the command line; null for --help. */
export function parseProbeArgs(args: string[]): ProbeArgs | null {
  const { values } = parseArgs({
    args,
    options: {
      encoder: { type: "string" },
      key: { type: "string" },
      config: { type: "string" },
      train: { type: "string" },
      val: { type: "string" },
      test: { type: "string" },
      manifest: { type: "string" },
      phantom: { type: "string" },
      "phantom-size": { type: "string", default: "112" },
      "label-column": { type: "string" },
      task: { type: "string", default: "classification" },
      classes: { type: "string" },
      probe: { type: "string", default: "attentive" },
      depth: { type: "string", default: "4" },
      heads: { type: "string", default: "16" },
      epochs: { type: "string", default: "20" },
      lrs: { type: "string" },
      wds: { type: "string" },
      batch: { type: "string", default: "8" },
      fraction: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      "no-standardize": { type: "boolean", default: false },
      frames: { type: "string" },
      fps: { type: "string" },
      "frame-step": { type: "string" },
      segments: { type: "string", default: "2" },
      resolution: { type: "string" },
      "no-sector": { type: "boolean", default: false },
      out: { type: "string" },
      "no-progress": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const task = values.task;
  if (task !== "classification" && task !== "regression") {
    throw new CliError(`--task: expected classification or regression, got "${task}"`);
  }
  const probe = values.probe;
  if (probe !== "attentive" && probe !== "linear" && probe !== "mlp") {
    throw new CliError(`--probe: expected attentive, linear or mlp, got "${probe}"`);
  }
  const phantom = numberFlag("phantom", values.phantom, { integer: true, min: 1 });
  const manifest = values.manifest;
  const split = (flag: "train" | "val" | "test"): string | undefined => values[flag] ?? manifest;
  if (phantom === undefined && !(split("train") && split("val") && split("test"))) {
    throw new CliError(
      "give --train, --val and --test manifests, --manifest with a Split column, or --phantom N",
    );
  }
  if (phantom !== undefined && (values.train || values.val || values.test || manifest)) {
    throw new CliError("--phantom replaces the manifests; give one or the other");
  }
  if (values.fps !== undefined && values["frame-step"] !== undefined) {
    throw new CliError("--fps and --frame-step both choose the frame step; give one");
  }
  const fraction = numberFlag("fraction", values.fraction)!;
  if (!(fraction > 0 && fraction <= 1)) throw new CliError(`--fraction: expected (0, 1], got ${fraction}`);
  return {
    encoder: required("encoder", values.encoder),
    key: values.key,
    config: values.config,
    train: split("train"),
    val: split("val"),
    test: split("test"),
    phantom,
    phantomSize: numberFlag("phantom-size", values["phantom-size"], { integer: true, min: 16 })!,
    labelColumn: values["label-column"],
    task,
    classes: numberFlag("classes", values.classes, { integer: true, min: 2 }),
    probe,
    depth: numberFlag("depth", values.depth, { integer: true, min: 1 })!,
    heads: numberFlag("heads", values.heads, { integer: true, min: 1 })!,
    epochs: numberFlag("epochs", values.epochs, { integer: true, min: 1 })!,
    lrs: numberListFlag("lrs", values.lrs),
    wds: numberListFlag("wds", values.wds),
    batch: numberFlag("batch", values.batch, { integer: true, min: 1 })!,
    fraction,
    seed: numberFlag("seed", values.seed, { integer: true })!,
    standardize: !values["no-standardize"],
    frames: numberFlag("frames", values.frames, { integer: true, min: 1 }),
    fps: numberFlag("fps", values.fps, { min: 1e-6 }),
    frameStep: numberFlag("frame-step", values["frame-step"], { integer: true, min: 1 }),
    segments: numberFlag("segments", values.segments, { integer: true, min: 1 })!,
    resolution: numberFlag("resolution", values.resolution, { integer: true, min: 1 }),
    sector: !values["no-sector"],
    out: required("out", values.out),
    progress: !values["no-progress"],
  };
}

/** Clip settings from the flags, defaulting to the encoder's pretraining settings; checked against the encoder. */
export function clipSettingsFor(
  args: Pick<ProbeArgs, "frames" | "fps" | "frameStep" | "segments" | "resolution" | "sector">,
  encoder: LoadedEncoder,
): ClipSettings {
  const c = encoder.config;
  const settings: ClipSettings = {
    frames: args.frames ?? encoder.training.frames,
    fps: args.fps ?? null,
    frameStep: args.frameStep ?? encoder.training.frameStep ?? 2,
    segments: args.segments,
    resolution: args.resolution ?? encoder.training.resolution,
    sector: args.sector,
  };
  if (settings.frames % c.tubeletSize !== 0) {
    throw new CliError(
      `--frames ${settings.frames}: must be a multiple of the encoder's tubelet size ${c.tubeletSize}`,
    );
  }
  if (settings.resolution % c.patchSize !== 0) {
    throw new CliError(
      `--resolution ${settings.resolution}: must be a multiple of the encoder's patch size ${c.patchSize}`,
    );
  }
  return settings;
}

/** What a probe run produced. */
export interface ProbeRunResult {
  /** probe.json. */
  spec: ProbeSpec;
  /** metrics.json. */
  metrics: Record<string, unknown>;
}

type SplitName = "train" | "val" | "test";
const SPLITS: SplitName[] = ["train", "val", "test"];

/** Runs `deno task probe` with parsed arguments. */
export async function runProbe(args: ProbeArgs): Promise<ProbeRunResult> {
  await init();
  console.error(`backend: ${describeBackend()}`);
  const notice = (m: string): void => console.error(m);
  const encoder = await loadEncoder(args.encoder, { key: args.key, config: args.config, onNotice: notice });
  const settings = clipSettingsFor(args, encoder);
  const pooling = args.probe === "attentive" ? "tokens" : "mean";
  if (args.probe === "attentive" && encoder.config.embedDim % args.heads !== 0) {
    // Checked before any clip is decoded or encoded.
    throw new CliError(
      `--heads ${args.heads}: the encoder's width ${encoder.config.embedDim} does not divide into ` +
        `${args.heads} heads`,
    );
  }

  // Samples of each split, and what identifies them for the feature cache.
  let samples: Record<SplitName, Sample[]>;
  let sources: Record<SplitName, unknown>;
  let classNames: string[] | null = null;
  let closePhantom = (): void => {};
  if (args.phantom !== undefined) {
    const phantomTask = args.task === "classification" ? "view" : "ef";
    const phantom = phantomSamples(args.phantom, phantomTask, settings, {
      seed: args.seed,
      size: args.phantomSize,
    });
    samples = phantom;
    closePhantom = phantom.close;
    if (phantomTask === "view") classNames = [...PHANTOM_VIEW_NAMES];
    const source = { phantom: args.phantom, task: phantomTask, seed: args.seed, size: args.phantomSize };
    sources = { train: source, val: source, test: source };
  } else {
    const entries = await Promise.all(
      SPLITS.map((s) =>
        manifestSamples(args[s]!, settings, { split: s, requireLabels: true, labelColumn: args.labelColumn })
      ),
    );
    samples = { train: entries[0], val: entries[1], test: entries[2] };
    const stamps = await Promise.all(SPLITS.map((s) => fileStamp(args[s]!)));
    sources = { train: stamps[0], val: stamps[1], test: stamps[2] };
  }
  for (const s of SPLITS) {
    if (samples[s].length === 0) throw new CliError(`the ${s} split has no samples`);
  }
  const task = taskOf(args, samples, classNames);

  // Features, once per split and setting (cached under --out).
  const encoderStamp = await fileStamp(encoder.path);
  const encoded = {} as Record<SplitName, EncodedSamples>;
  await Deno.mkdir(`${args.out}/features`, { recursive: true });
  try {
    for (const s of SPLITS) {
      const key = await digestOf({
        encoder: encoderStamp,
        key: encoder.key,
        settings,
        pooling,
        source: sources[s],
        s,
      });
      const result = await cachedEncodeSamples(
        `${args.out}/features/${s}-${key.slice(0, 16)}`,
        key,
        () =>
          encodeSamples(encoder.encoder, samples[s], settings, {
            pooling,
            label: `encode ${s}`,
            progress: args.progress,
          }),
      );
      if (result.fromCache) notice(`${s}: ${result.kept.length} cached feature rows`);
      for (const k of result.skipped) notice(`skipped ${k.id}: ${k.reason}`);
      encoded[s] = result;
    }
  } finally {
    closePhantom();
  }
  encoder.encoder.dispose();
  const labelsOf = (s: SplitName): number[] => encoded[s].kept.map((i) => samples[s][i].label!);

  // Label fraction: a stratified subset of the training rows.
  const allTrain = labelsOf("train");
  const subset = args.fraction < 1
    ? stratifiedSubset(
      task.type === "classification" ? allTrain : quantileBins(allTrain, 10),
      args.fraction,
      args.seed,
    )
    : allTrain.map((_, i) => i);
  const rows: Record<SplitName, number[]> = {
    train: subset,
    val: labelsOf("val").map((_, i) => i),
    test: labelsOf("test").map((_, i) => i),
  };
  const labels = {
    train: subset.map((i) => allTrain[i]),
    val: labelsOf("val"),
    test: labelsOf("test"),
  };

  const dim = encoded.train.features.dim;
  const arch = {
    kind: args.probe,
    dim,
    outputs: task.type === "classification" ? task.numClasses : 1,
    depth: args.depth,
    heads: args.heads,
  };
  const linearGrid = args.probe !== "attentive";
  const lrs = args.lrs ?? (linearGrid ? [1e-3, 5e-4, 1e-4] : [1e-4, 5e-5]);
  const weightDecays = args.wds ?? (linearGrid ? [0, 1e-3, 1e-2] : [0.01, 0.1, 0.4]);
  const bar = progressBar(`train ${lrs.length * weightDecays.length} heads`, args.progress);
  // The fair protocol: every feature channel standardised with the training split's statistics (all its rows,
  // labelled or not), so the probe does not read one backbone's token scale.
  const stats = args.standardize ? fitChannelStats(encoded.train.features, allTrain.map((_, i) => i)) : null;
  const standardized = (set: FeatureSet): FeatureSet => (stats ? standardiseFeatures(set, stats) : set);
  const sets: Record<SplitName, FeatureSet> = {
    train: standardized(encoded.train.features),
    val: standardized(encoded.val.features),
    test: standardized(encoded.test.features),
  };
  const result = await trainProbes({
    task,
    makeProbe: () => buildProbe(arch, task.type === "regression"),
    apply: (probe, batch) => probe.forward(batch.x, batch.mask),
    makeBatch: (split, idx) => ({ x: tokenBatch(sets[split], idx.map((i) => rows[split][i])), mask: null }),
    labels,
    lrs,
    weightDecays,
    epochs: args.epochs,
    batchSize: args.batch,
    seed: args.seed,
    onEpoch: (epoch, scores, loss) => {
      const best = task.type === "classification" ? Math.max(...scores) : Math.min(...scores);
      const name = task.type === "classification" ? "val acc" : "val MAE";
      bar.update(epoch + 1, args.epochs, `loss ${loss.toFixed(4)} best ${name} ${best.toFixed(3)}`);
    },
  });
  bar.finish();

  const spec: ProbeSpec = {
    format: PROBE_FORMAT,
    task,
    classNames,
    probe: arch,
    pooling,
    scaler: result.scaler,
    standardization: stats ? standardizationOf(stats) : null,
    encoder: { path: encoder.path, key: encoder.key, config: encoder.config },
    clips: settings,
    training: {
      data: args.phantom !== undefined
        ? { phantom: args.phantom, size: args.phantomSize, seed: args.seed }
        : { train: args.train, val: args.val, test: args.test, labelColumn: args.labelColumn ?? null },
      fraction: args.fraction,
      seed: args.seed,
      epochs: args.epochs,
      batchSize: args.batch,
      lrs,
      weightDecays,
      chosen: result.best,
      samples: { train: labels.train.length, val: labels.val.length, test: labels.test.length },
    },
    createdAt: new Date().toISOString(),
  };
  await saveProbeDir(args.out, spec, result.probe);
  // The same head as the reference's frozen evaluation saves probes, for PyTorch users (scaler and clip settings
  // stay in probe.json: the reference keeps them in its YAML; so do the feature statistics, which it lacks).
  if (stats) {
    notice(
      "probe.pt reads standardised features (their statistics are in probe.json); train with --no-standardize " +
        "for a head the reference's PyTorch evaluation applies to raw features",
    );
  }
  await saveTorchProbeFile(`${args.out}/probe.pt`, [result.probe], {
    epoch: args.epochs,
    batchSize: args.batch,
    hyper: [{ lr: result.best.lr, weightDecay: result.best.weightDecay }],
    valScorePerHead: [task.type === "classification" ? result.best.valScore : -result.best.valScore],
  });
  // trainProbes returns class scores (classification) or already de-normalised values (regression).
  const testDecoded = task.type === "classification"
    ? decodeOutputs(task, result.testScores!, null)
    : { predictions: result.testPredictions, probabilities: null };
  const metrics = {
    task: task.type,
    best: result.best,
    val: result.val,
    test: taskMetrics(task, result.testPredictions, labels.test),
    lossHistory: result.lossHistory,
    skipped: SPLITS.flatMap((s) => encoded[s].skipped.map((k) => ({ split: s, ...k }))),
  };
  await writeJson(`${args.out}/metrics.json`, metrics);
  await writeTestPredictions(
    `${args.out}/predictions_test.csv`,
    task,
    samples.test,
    encoded.test.kept,
    testDecoded,
  );
  result.probe.dispose();
  return { spec, metrics };
}

function taskOf(
  args: ProbeArgs,
  samples: Record<SplitName, Sample[]>,
  classNames: string[] | null,
): ProbeTask {
  if (args.task === "regression") return { type: "regression" };
  const all = SPLITS.flatMap((s) => samples[s].map((x) => x.label!));
  const bad = all.find((l) => !Number.isInteger(l) || l < 0);
  if (bad !== undefined) {
    throw new CliError(
      `classification labels must be class indices 0, 1, …; found ${bad} (use --task regression?)`,
    );
  }
  const numClasses = args.classes ?? classNames?.length ?? Math.max(...all) + 1;
  const over = all.find((l) => l >= numClasses);
  if (over !== undefined) throw new CliError(`--classes ${numClasses}: label ${over} is out of range`);
  if (numClasses < 2) throw new CliError("classification needs at least 2 classes (every label is 0)");
  return { type: "classification", numClasses };
}

/** Bins continuous targets into `bins` quantile groups, so a regression subset can be stratified. */
function quantileBins(values: number[], bins: number): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  order.forEach(([, i], rank) => (out[i] = Math.floor((rank * bins) / values.length)));
  return out;
}

async function writeTestPredictions(
  path: string,
  task: ProbeTask,
  samples: Sample[],
  kept: number[],
  decoded: ReturnType<typeof decodeOutputs>,
): Promise<void> {
  const header = ["id", "study", "label", "prediction"];
  if (task.type === "classification") {
    header.push(...Array.from({ length: task.numClasses }, (_, c) => `p${c}`));
  }
  const rows: (string | number)[][] = [header];
  kept.forEach((i, j) => {
    const row: (string | number)[] = [
      samples[i].id,
      samples[i].study,
      samples[i].label!,
      decoded.predictions[j],
    ];
    if (decoded.probabilities) row.push(...decoded.probabilities[j].map((p) => Number(p.toFixed(6))));
    rows.push(row);
  });
  await ensureParent(path);
  await Deno.writeTextFile(path, toCsv(rows));
}

function summary(result: ProbeRunResult, out: string): string {
  const t = result.metrics.test as Record<string, number>;
  const best = result.spec.training.chosen as { lr: number; weightDecay: number; epoch: number };
  const headline = result.spec.task.type === "classification"
    ? `test accuracy ${t.accuracy.toFixed(4)}, balanced ${t.balancedAccuracy.toFixed(4)}`
    : `test MAE ${t.mae.toFixed(3)}, RMSE ${t.rmse.toFixed(3)}, R² ${t.r2.toFixed(3)}`;
  return `${headline} (n = ${t.n}); chosen head lr ${best.lr} wd ${best.weightDecay} epoch ${
    best.epoch + 1
  }\n` +
    `saved ${out}/probe.safetensors, probe.json, probe.pt, metrics.json, predictions_test.csv`;
}

if (import.meta.main) {
  await runCli("probe", async (argv) => {
    const args = parseProbeArgs(argv);
    if (!args) return console.log(HELP);
    await ensureWritableDir("out", args.out); // before any feature extraction
    const result = await runProbe(args);
    console.log(summary(result, args.out));
  });
}
