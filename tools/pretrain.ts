/**
 * `deno task pretrain`: V-JEPA (or pixel-MAE) pretraining from a preset or config file, with CLI overrides.
 *
 *     deno task pretrain                                  # the CPU-sized "micro" preset on synthetic phantom clips
 *     deno task pretrain --config configs/pretrain/micro.yaml --objective mae
 *     deno task pretrain --preset vitl-echojepa --data-path data/mimic.csv --out runs/vitl
 *     deno task pretrain --config configs/pretrain/micro.yaml --resume
 *
 * Writes `<out>/metrics.jsonl` and `<out>/checkpoints/{latest,eNNNN}.json` + `step-NNNNNNN.safetensors`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ensureWritableDir, oneLine, runCli } from "./lib/cli.ts";
import {
  loadConfigFile,
  presetNames,
  pretrain,
  type PretrainConfig,
  type PretrainConfigOverrides,
  PretrainDivergedError,
  resolveConfig,
} from "@echojepa/jepa";

const HELP = `Usage: deno task pretrain [options]

Pretrains a video ViT encoder with V-JEPA (latent prediction against an EMA target) or a pixel-MAE baseline.

Config:
  --config FILE        YAML or JSON config (a "preset:" key plus overrides); see configs/pretrain/
  --preset NAME        base preset when no --config is given (default micro): ${presetNames().join(", ")}
  --objective NAME     jepa | mae
  --print-config       print the resolved config as JSON and exit
Overrides:
  --out DIR            output folder (run.outDir)
  --seed N             seed of weights, batches, crops and masks
  --epochs N           epochs (optim.epochs)
  --ipe N              iterations per epoch (optim.itersPerEpoch)
  --batch N            clips per step (optim.batchSize)
  --lr X               peak learning rate (optim.lr)
  --data SOURCE        phantom | manifest
  --data-path FILE     manifest of videos (with --data manifest)
  --frames N           frames per clip
  --crop N             crop size in pixels
  --log-every N        read the loss back and log every N steps
Run:
  --resume             continue from <out>/checkpoints/latest.json
  --resume-from PATH   continue from a given checkpoint .json (or run folder), or a PyTorch .pt in the
                       reference's layout (ours from --save-pt, or the reference trainer's latest.pt)
  --save-pt            also write each checkpoint as <stem>.pt in the reference's PyTorch layout (its trainer
                       resumes from it; torch.load(weights_only=True) reads it)
  --steps N            stop (with a checkpoint) after N total steps
  --no-progress        no progress bar
  -h, --help           this help
`;

/** Parses CLI arguments into a resolved config and run options. */
export async function configFromArgs(args: string[]): Promise<
  {
    config: PretrainConfig;
    resume: string | boolean;
    saveTorch: boolean;
    stopAtStep?: number;
    progress?: boolean;
    print: boolean;
  } | null
> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      preset: { type: "string" },
      objective: { type: "string" },
      "print-config": { type: "boolean" },
      out: { type: "string" },
      seed: { type: "string" },
      epochs: { type: "string" },
      ipe: { type: "string" },
      batch: { type: "string" },
      lr: { type: "string" },
      data: { type: "string" },
      "data-path": { type: "string" },
      frames: { type: "string" },
      crop: { type: "string" },
      "log-every": { type: "string" },
      resume: { type: "boolean" },
      "resume-from": { type: "string" },
      "save-pt": { type: "boolean" },
      steps: { type: "string" },
      "no-progress": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const num = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${flag}: expected a number, got "${v}"`);
    return n;
  };
  const o: PretrainConfigOverrides = {};
  const data: Record<string, unknown> = {};
  const optim: Record<string, unknown> = {};
  const run: Record<string, unknown> = {};
  if (values.objective !== undefined) o.objective = values.objective as PretrainConfig["objective"];
  if (values.seed !== undefined) o.seed = num("seed", values.seed);
  if (values.out !== undefined) run.outDir = values.out;
  if (values["log-every"] !== undefined) run.logEvery = num("log-every", values["log-every"]);
  if (values.epochs !== undefined) optim.epochs = num("epochs", values.epochs);
  if (values.ipe !== undefined) optim.itersPerEpoch = num("ipe", values.ipe);
  if (values.batch !== undefined) optim.batchSize = num("batch", values.batch);
  // With "warmup-constant" the schedule stays at lr after warmup (finalLr is not used).
  if (values.lr !== undefined) optim.lr = num("lr", values.lr);
  if (values.data !== undefined) data.source = values.data;
  if (values["data-path"] !== undefined) {
    data.path = values["data-path"];
    data.source ??= "manifest";
  }
  if (values.frames !== undefined) data.frames = num("frames", values.frames);
  if (values.crop !== undefined) data.cropSize = num("crop", values.crop);
  if (Object.keys(data).length) o.data = data;
  if (Object.keys(run).length) o.run = run;
  if (Object.keys(optim).length) o.optim = optim;
  const config = values.config
    ? await loadConfigFile(values.config, o)
    : resolveConfig(values.preset ?? "micro", o);
  return {
    config,
    resume: values["resume-from"] ?? values.resume ?? false,
    saveTorch: values["save-pt"] ?? false,
    stopAtStep: num("steps", values.steps),
    progress: values["no-progress"] ? false : undefined,
    print: values["print-config"] ?? false,
  };
}

if (import.meta.main) {
  await runCli("pretrain", async (argv) => {
    const parsed = await configFromArgs(argv);
    if (parsed === null) return console.log(HELP);
    if (parsed.print) return console.log(JSON.stringify(parsed.config, null, 2));
    // Before any training: an unwritable --out must not be discovered after the run.
    await ensureWritableDir("out", parsed.config.run.outDir);
    try {
      const result = await pretrain(parsed.config, {
        resume: parsed.resume,
        saveTorch: parsed.saveTorch,
        stopAtStep: parsed.stopAtStep,
        progress: parsed.progress,
      });
      const n = result.lossHistory.length;
      const head = result.lossHistory.slice(0, Math.min(10, n));
      const tail = result.lossHistory.slice(Math.max(0, n - 10));
      const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      const skipped = Object.entries(result.skipped).map(([k, v]) => `${v} ${k}`).join(", ");
      console.log(
        `loss: first ${head.length} steps ${avg(head).toFixed(4)} → last ${tail.length} ${
          avg(tail).toFixed(4)
        }; ` +
          `${result.clipsPerSecond.toFixed(2)} clips/s` + (skipped ? `; skipped clips: ${skipped}` : ""),
      );
    } catch (e) {
      if (e instanceof PretrainDivergedError) {
        console.error(oneLine(e));
        Deno.exit(2);
      }
      throw e;
    }
  });
}
