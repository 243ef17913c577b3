/**
 * `deno task robustness`: the EchoJEPA robustness protocol for a saved probe on a user's manifest — predictions on
 * the clean clips and under each perturbation condition (applied in memory to the decoded frames, seeded by clip id,
 * condition and seed), the metric per condition, and the paper's average degradation
 * ((mean over conditions − clean) / clean × 100; for MAE positive is worse, for accuracy negative is worse).
 *
 *     deno task robustness --probe runs/lvef --manifest EchoNet-Dynamic/FileList.csv --split test --out runs/robust
 *     deno task robustness --probe runs/views --manifest views_test.csv --conditions all --out runs/robust-views
 *
 * Writes `<out>/robustness.json` (per-condition metrics and the average degradation) and
 * `<out>/robustness_predictions.csv`, and prints a table.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { segmentInputs } from "@echojepa/augment";
import type { Clip } from "@echojepa/core";
import {
  accuracy,
  conditionInfo,
  CONDITIONS,
  evaluateRobustness,
  meanAbsoluteError,
  REFERENCE_CONDITION_IDS,
  type RobustnessItem,
} from "@echojepa/perturb";
import { describeBackend, init } from "@echojepa/tensor";
import {
  CliError,
  ensureParent,
  ensureWritableDir,
  numberFlag,
  progressBar,
  runCli,
  toCsv,
  writeJson,
} from "./lib/cli.ts";
import { applyProbe, encodeInputs } from "./lib/features.ts";
import { decodeOutputs, headlineMetric, taskMetrics } from "./lib/outputs.ts";
import { openProbe } from "./lib/probe_files.ts";
import { manifestSamples } from "./lib/samples.ts";
import {
  REFERENCE_PROBE_HELP,
  SAVED_PROBE_OPTIONS,
  type SavedProbeArgs,
  savedProbeArgs,
} from "./lib/saved_probe_args.ts";

const HELP = `Usage: deno task robustness --probe DIR --manifest M --out DIR [options]

Scores a probe saved by \`deno task probe\` on clean and perturbed copies of a labelled manifest's clips.

  --probe DIR|FILE      folder with probe.json and probe.safetensors, or a reference probe file (.pt)
  --manifest M          labelled reference CSV, EchoNet FileList.csv or folder
  --out DIR             writes robustness.json and robustness_predictions.csv here
  --conditions C        reference (the paper's 6: depth attenuation and Gaussian shadow, low/medium/high;
                        default), all (every family of @echojepa/perturb), or comma-separated condition ids
  --seed S              perturbation seed (default 0); a clip's perturbation depends only on (id, condition, seed)
  --split NAME          keep rows of this split (FileList.csv Split column), e.g. test
  --label-column NAME   FileList.csv column holding the labels (default EF)
  --encoder PATH        the probe's encoder (when it has moved since training; required with a probe file)
  --batch B             clips per step (default 8)
  --no-progress         no progress bars
  -h, --help            this help

${REFERENCE_PROBE_HELP}`;

/** Parsed command line of `deno task robustness`. */
export interface RobustnessArgs extends SavedProbeArgs {
  conditions: string[];
  seed: number;
}

/** Resolves `--conditions`: reference, all, or a list of ids (checked against the catalogue). */
export function parseConditions(value: string): string[] {
  if (value === "reference") return [...REFERENCE_CONDITION_IDS];
  if (value === "all") return CONDITIONS.map((c) => c.id);
  const ids = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (ids.length === 0) throw new CliError("--conditions: no condition given");
  for (const id of ids) {
    try {
      conditionInfo(id);
    } catch (e) {
      throw new CliError(`--conditions: ${(e as Error).message}`);
    }
  }
  return ids;
}

/** Parses the command line; null for --help. */
export function parseRobustnessArgs(args: string[]): RobustnessArgs | null {
  const { values } = parseArgs({
    args,
    options: {
      ...SAVED_PROBE_OPTIONS,
      conditions: { type: "string", default: "reference" },
      seed: { type: "string", default: "0" },
    },
    strict: true,
  });
  if (values.help) return null;
  return {
    ...savedProbeArgs(values),
    conditions: parseConditions(values.conditions),
    seed: numberFlag("seed", values.seed, { integer: true })!,
  };
}

/** One row of the results table. */
export interface ConditionResult {
  /** "clean" or a condition id. */
  condition: string;
  /** The headline metric (accuracy or MAE). */
  value: number;
  /** Relative change from clean, percent. */
  changePercent: number;
  /** All metrics of the task. */
  metrics: Record<string, unknown>;
}

/** What robustness.json holds. */
export interface RobustnessResult {
  /** Task of the probe. */
  task: "classification" | "regression";
  /** Headline metric name. */
  metric: "accuracy" | "mae";
  /** Clips scored. */
  n: number;
  /** Perturbation seed. */
  seed: number;
  /** Clean first, then each condition. */
  results: ConditionResult[];
  /** The paper's average degradation over the conditions, percent. */
  averageDegradation: number;
  /** Files that could not be decoded. */
  skipped: { id: string; reason: string }[];
}

/** Clean clips kept in memory between conditions up to this many bytes; beyond it they are decoded again. */
const CLIP_MEMORY_BUDGET = 2 ** 31;

/** Runs `deno task robustness` with parsed arguments. */
export async function runRobustness(args: RobustnessArgs): Promise<RobustnessResult> {
  await init();
  console.error(`backend: ${describeBackend()}`);
  const { spec, probe, encoder } = await openProbe(args.probe, {
    encoderPath: args.encoder,
    onNotice: (m) => console.error(m),
    reference: args.reference,
  });
  const settings = spec.clips;
  const samples = await manifestSamples(args.manifest, settings, {
    split: args.split,
    requireLabels: true,
    labelColumn: args.labelColumn,
  });

  // Decode every clip once: unreadable files are dropped before the protocol starts; clips stay in memory when
  // they fit, so each condition only perturbs and encodes.
  const items: RobustnessItem[] = [];
  const skipped: { id: string; reason: string }[] = [];
  let held = 0;
  const loadBar = progressBar("decode", args.progress);
  for (const [i, sample] of samples.entries()) {
    try {
      const clip = await sample.load();
      const keep = held + clip.data.byteLength <= CLIP_MEMORY_BUDGET;
      if (keep) held += clip.data.byteLength;
      items.push({ id: sample.id, target: sample.label!, load: keep ? () => clip : sample.load });
    } catch (e) {
      skipped.push({ id: sample.id, reason: (e as Error).message });
      console.error(`skipped ${sample.id}: ${(e as Error).message}`);
    }
    loadBar.update(i + 1, samples.length);
  }
  loadBar.finish();
  if (items.length === 0) throw new CliError(`no clip of ${args.manifest} could be decoded`);

  const scorer = async (clips: Clip[]): Promise<number[]> => {
    const inputs = clips.flatMap((c) => segmentInputs(c, settings));
    const set = await encodeInputs(encoder.encoder, inputs, settings, spec.pooling, args.batch);
    const out = await applyProbe(probe, set, {
      standardization: spec.standardization,
      timePooling: spec.timePooling,
    });
    return decodeOutputs(spec.task, out, spec.scaler).predictions;
  };
  const head = headlineMetric(spec.task);
  const total = items.length * (1 + args.conditions.length);
  const order = ["clean", ...args.conditions];
  const bar = progressBar("robustness", args.progress);
  const report = await evaluateRobustness(items, {
    scorer,
    metric: head.name === "accuracy" ? accuracy : meanAbsoluteError,
    conditions: args.conditions,
    seed: args.seed,
    batchSize: args.batch,
    onProgress: (condition, done) =>
      bar.update(order.indexOf(condition) * items.length + done, total, condition),
  });
  bar.finish();
  encoder.encoder.dispose();
  probe.dispose();

  const targets = items.map((it) => it.target);
  const results: ConditionResult[] = order.map((condition) => {
    const value = condition === "clean" ? report.clean : report.conditions[condition];
    return {
      condition,
      value,
      changePercent: ((value - report.clean) / report.clean) * 100,
      metrics: taskMetrics(spec.task, report.predictions[condition], targets),
    };
  });
  const result: RobustnessResult = {
    task: spec.task.type,
    metric: head.name,
    n: items.length,
    seed: args.seed,
    results,
    averageDegradation: report.averageDegradation,
    skipped,
  };
  await writeJson(`${args.out}/robustness.json`, { probe: args.probe, manifest: args.manifest, ...result });
  const rows: (string | number)[][] = [["id", "label", ...order]];
  items.forEach((it, i) => rows.push([it.id, it.target, ...order.map((c) => report.predictions[c][i])]));
  await ensureParent(`${args.out}/robustness_predictions.csv`);
  await Deno.writeTextFile(`${args.out}/robustness_predictions.csv`, toCsv(rows));
  return result;
}

/** The results as a plain-text table. */
export function formatTable(r: RobustnessResult): string {
  const name = r.metric === "accuracy" ? "accuracy" : "MAE";
  const width = Math.max(9, ...r.results.map((x) => x.condition.length));
  const lines = [`${"condition".padEnd(width)}  ${name.padStart(9)}  ${"change".padStart(8)}`];
  for (const x of r.results) {
    const change = x.condition === "clean" ? "" : signedPercent(x.changePercent, 1);
    lines.push(`${x.condition.padEnd(width)}  ${x.value.toFixed(4).padStart(9)}  ${change.padStart(8)}`);
  }
  const worse = r.metric === "accuracy" ? "negative" : "positive";
  const conditions = r.results.length - 1;
  lines.push(
    `average degradation: ${signedPercent(r.averageDegradation, 2)} over ${conditions} conditions, ` +
      `n = ${r.n} (${worse} is worse)`,
  );
  return lines.join("\n");
}

/** `+1.2%` / `-0.4%`, with no "-0.0%" for changes that round to zero. */
function signedPercent(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  return `${value < 0 && Number(text) !== 0 ? "-" : "+"}${text}%`;
}

if (import.meta.main) {
  await runCli("robustness", async (argv) => {
    const args = parseRobustnessArgs(argv);
    if (!args) return console.log(HELP);
    await ensureWritableDir("out", args.out); // before any decoding or encoding
    const result = await runRobustness(args);
    console.log(formatTable(result));
    console.log(`wrote ${args.out}/robustness.json and robustness_predictions.csv`);
  });
}
