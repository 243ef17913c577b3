/**
 * `deno task eval`: applies a saved probe (from `deno task probe`) to a manifest's videos and writes a predictions
 * CSV (regression values de-normalised to the original units) and, when the manifest has labels, a metrics JSON.
 * `--per-study` averages a study's clips (class probabilities or values) before scoring.
 *
 *     deno task eval --probe runs/lvef --manifest EchoNet-Dynamic/FileList.csv --split test --out runs/lvef/test.csv
 *     deno task eval --probe runs/views --manifest mimic_views.csv --out views.csv --per-study
 *
 * @module
 */

import { parseArgs } from "node:util";
import { describeBackend, init } from "@echojepa/tensor";
import { CliError, ensureParent, ensureWritableDir, parentDir, runCli, toCsv, writeJson } from "./lib/cli.ts";
import { applyProbe, encodeSamples } from "./lib/features.ts";
import { averageByStudy, type DecodedOutputs, decodeOutputs, taskMetrics } from "./lib/outputs.ts";
import { openProbe, type ProbeSpec } from "./lib/probe_files.ts";
import {
  REFERENCE_PROBE_HELP,
  SAVED_PROBE_OPTIONS,
  type SavedProbeArgs,
  savedProbeArgs,
} from "./lib/saved_probe_args.ts";
import { manifestSamples } from "./lib/samples.ts";

const HELP = `Usage: deno task eval --probe DIR --manifest M --out predictions.csv [options]

Applies a probe saved by \`deno task probe\` to every video of a manifest.

  --probe DIR|FILE      folder with probe.json and probe.safetensors, or a reference probe file (.pt)
  --manifest M          reference CSV ("<path> <label>"), EchoNet FileList.csv or a folder of videos
  --out FILE            predictions CSV (metrics go to FILE with .metrics.json when labels exist)
  --per-study           average a study's clips (study: the manifest's group, else the file's folder)
  --split NAME          keep rows of this split (FileList.csv Split column), e.g. test
  --label-column NAME   FileList.csv column holding the labels (default EF)
  --encoder PATH        the probe's encoder (when it has moved since training; required with a probe file)
  --batch B             clips encoded per step (default 8)
  --no-progress         no progress bars
  -h, --help            this help

${REFERENCE_PROBE_HELP}`;

/** Parsed command line of `deno task eval`. */
export interface EvalArgs extends SavedProbeArgs {
  perStudy: boolean;
}

/** Parses the command line; null for --help. */
export function parseEvalArgs(args: string[]): EvalArgs | null {
  const { values } = parseArgs({
    args,
    options: { ...SAVED_PROBE_OPTIONS, "per-study": { type: "boolean", default: false } },
    strict: true,
  });
  if (values.help) return null;
  return { ...savedProbeArgs(values), perStudy: values["per-study"] };
}

/** What an evaluation produced. */
export interface EvalResult {
  /** Rows written (clips, or studies with --per-study). */
  rows: number;
  /** Metrics, when the manifest has labels for every row. */
  metrics: Record<string, unknown> | null;
  /** Path of the metrics JSON, when written. */
  metricsPath: string | null;
  /** Files that could not be decoded. */
  skipped: { id: string; reason: string }[];
}

/** Runs `deno task eval` with parsed arguments. */
export async function runEval(args: EvalArgs): Promise<EvalResult> {
  await init();
  console.error(`backend: ${describeBackend()}`);
  const { spec, probe, encoder } = await openProbe(args.probe, {
    encoderPath: args.encoder,
    onNotice: (m) => console.error(m),
    reference: args.reference,
  });
  const samples = await manifestSamples(args.manifest, spec.clips, {
    split: args.split,
    labelColumn: args.labelColumn,
  });
  const encoded = await encodeSamples(encoder.encoder, samples, spec.clips, {
    pooling: spec.pooling,
    batchSize: args.batch,
    progress: args.progress,
  });
  encoder.encoder.dispose();
  for (const k of encoded.skipped) console.error(`skipped ${k.id}: ${k.reason}`);
  const out = await applyProbe(probe, encoded.features, {
    standardization: spec.standardization,
    timePooling: spec.timePooling,
  });
  probe.dispose();
  const kept = encoded.kept.map((i) => samples[i]);
  let ids = kept.map((s) => s.id);
  let studies = kept.map((s) => s.study);
  let labels = kept.map((s) => s.label);
  let counts: number[] | null = null;
  let decoded = decodeOutputs(spec.task, out, spec.scaler);
  if (args.perStudy) {
    const avg = averageByStudy(studies, decoded, labels);
    ids = avg.studies;
    studies = avg.studies;
    labels = avg.labels;
    decoded = avg.decoded;
    counts = avg.counts;
  }
  await ensureParent(args.out);
  await Deno.writeTextFile(args.out, predictionsCsv(spec, ids, studies, counts, labels, decoded));

  let metrics: Record<string, unknown> | null = null;
  let metricsPath: string | null = null;
  if (labels.length > 0 && labels.every((l) => l !== undefined)) {
    const targets = labels as number[];
    checkLabels(spec, targets, args.manifest);
    metrics = {
      task: spec.task.type,
      level: args.perStudy ? "study" : "clip",
      manifest: args.manifest,
      probe: args.probe,
      ...taskMetrics(spec.task, decoded.predictions, targets),
      skipped: encoded.skipped,
    };
    metricsPath = args.out.replace(/\.csv$/i, "") + ".metrics.json";
    await writeJson(metricsPath, metrics);
  }
  return { rows: ids.length, metrics, metricsPath, skipped: encoded.skipped };
}

function checkLabels(spec: ProbeSpec, targets: number[], manifest: string): void {
  if (spec.task.type !== "classification") return;
  const k = spec.task.numClasses;
  const bad = targets.find((t) => !Number.isInteger(t) || t < 0 || t >= k);
  if (bad !== undefined) {
    throw new CliError(`manifest ${manifest}: label ${bad} is not a class index of this ${k}-class probe`);
  }
}

function predictionsCsv(
  spec: ProbeSpec,
  ids: string[],
  studies: string[],
  counts: number[] | null,
  labels: (number | undefined)[],
  decoded: DecodedOutputs,
): string {
  const names = spec.classNames;
  const header = counts ? ["study", "clips"] : ["id", "study"];
  header.push("label", "prediction");
  if (names) header.push("prediction_name");
  const k = spec.task.type === "classification" ? spec.task.numClasses : 0;
  header.push(...Array.from({ length: k }, (_, c) => `p${c}`));
  const rows: (string | number)[][] = [header];
  ids.forEach((id, i) => {
    const row: (string | number)[] = counts ? [id, counts[i]] : [id, studies[i]];
    row.push(labels[i] ?? "", Number(decoded.predictions[i].toFixed(6)));
    if (names) row.push(names[decoded.predictions[i]] ?? "");
    if (decoded.probabilities) row.push(...decoded.probabilities[i].map((p) => Number(p.toFixed(6))));
    rows.push(row);
  });
  return toCsv(rows);
}

if (import.meta.main) {
  await runCli("eval", async (argv) => {
    const args = parseEvalArgs(argv);
    if (!args) return console.log(HELP);
    await ensureWritableDir("out", parentDir(args.out)); // before any encoding
    const r = await runEval(args);
    let line = `wrote ${r.rows} ${args.perStudy ? "study" : "clip"} predictions to ${args.out}`;
    if (r.metrics) {
      const m = r.metrics as Record<string, number>;
      line += r.metrics.task === "classification"
        ? `; accuracy ${m.accuracy.toFixed(4)}, balanced ${m.balancedAccuracy.toFixed(4)}`
        : `; MAE ${m.mae.toFixed(3)}, RMSE ${m.rmse.toFixed(3)}, R² ${m.r2.toFixed(3)}`;
      line += ` (metrics in ${r.metricsPath})`;
    } else line += " (no labels: no metrics)";
    if (r.skipped.length) line += `; ${r.skipped.length} files skipped`;
    console.log(line);
  });
}
