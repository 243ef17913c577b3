/**
 * Pretraining checkpoints: weights and optimizer moments in one safetensors file, the run state (step, epoch,
 * config, per-parameter optimizer step counts, loss history, seed) in a JSON file that names it.
 *
 * Writes are atomic. The safetensors file gets a step-specific name and is written to a temporary file and renamed;
 * only then is the JSON written the same way, so `latest.json` always names a complete weights file. A crash at any
 * point leaves the previous checkpoint loadable. Weights files that no JSON names any more are deleted afterwards.
 *
 * Tensor names: `encoder.<name>`, `target_encoder.<name>`, `predictor.<name>` (JEPA) or `decoder.<name>` (MAE),
 * and `optimizer.<module>.<name>.exp_avg` / `.exp_avg_sq` for AdamW's moments.
 *
 * @module
 */

import {
  type AdamW,
  assign,
  describeBackend,
  loadSafetensors,
  saveSafetensors,
  type Tensor,
} from "@echojepa/tensor";
import { writeFileAtomic } from "@echojepa/video";
import type { PretrainConfig } from "./config.ts";
import { EchoJepaError } from "@echojepa/core";

/** The run state stored beside the weights. */
export interface CheckpointState {
  /** Format marker. */
  format: "echojepa-ts-pretrain/1";
  /** Steps completed. */
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** The run's config. */
  config: PretrainConfig;
  /** Seed of all randomness: with `step`, it fixes every later batch, mask and crop. */
  seed: number;
  /** Loss of every completed step. */
  lossHistory: number[];
  /** Collapse-monitor readings `[step, std]` so far (JEPA; absent in older checkpoints). */
  targetStdHistory?: [number, number][];
  /** Optimizer step count per parameter name (`encoder.blocks.0…`). */
  optimizerSteps: Record<string, number>;
  /** The weights file, relative to the JSON's folder. */
  weights: string;
  /** ISO time of writing. */
  savedAt: string;
  /** The compute backend that wrote it (`describeBackend()`; absent in older checkpoints). */
  backend?: string;
}

/** Named modules and the optimizer, as a checkpoint sees them. */
export interface CheckpointParts {
  /** Module name → its named parameters (`encoder`, `target_encoder`, `predictor`/`decoder`). */
  modules: Record<string, [string, Tensor][]>;
  /** The optimizer over the trainable modules. */
  optimizer: AdamW;
}

/** Thrown (and nothing written) when a checkpoint's weights or optimizer moments hold NaN or ±Infinity. */
export class NonFiniteCheckpointError extends EchoJepaError {
  constructor(readonly tensor: string, readonly index: number, readonly value: number) {
    super(`checkpoint not written: ${tensor}[${index}] is ${value}`);
    this.name = "NonFiniteCheckpointError";
  }
}

function requireFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new NonFiniteCheckpointError(name, i, data[i]);
  }
}

/** Marks the temporary file of an atomic write: `<name>.tmp-<pid>`. */
const TMP_MARK = ".tmp-";

/** Whole or not at all: a failed write (full disk) removes its temporary file and names the file in one line. */
function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  return writeFileAtomic(path, bytes, `${path}${TMP_MARK}${Deno.pid}`);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Writes a checkpoint: `<dir>/step-<step>.safetensors` and, for each stem, `<dir>/<stem>.json` naming it (`latest`
 * for the rolling checkpoint, e.g. `e0010` for a kept one). Returns the path of the first JSON.
 */
export async function saveCheckpoint(
  dir: string,
  stems: string[],
  parts: CheckpointParts,
  state: Omit<CheckpointState, "format" | "weights" | "savedAt" | "optimizerSteps" | "backend">,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const tensors = new Map<string, Tensor>();
  const optimizerSteps: Record<string, number> = {};
  for (const [module, named] of Object.entries(parts.modules)) {
    for (const [name, t] of named) {
      tensors.set(`${module}.${name}`, t);
      const s = parts.optimizer.paramState(t);
      if (s) {
        tensors.set(`optimizer.${module}.${name}.exp_avg`, s.buffers.exp_avg);
        tensors.set(`optimizer.${module}.${name}.exp_avg_sq`, s.buffers.exp_avg_sq);
        optimizerSteps[`${module}.${name}`] = s.step;
      }
    }
  }
  const weights = `step-${String(state.step).padStart(7, "0")}.safetensors`;
  // Every tensor is checked as it is read back: a checkpoint with a NaN or Inf in it is never written, so the
  // previous one (all finite) stays `latest`.
  const bytes = await saveSafetensors(tensors, {
    format: "echojepa-ts-pretrain/1",
    step: String(state.step),
  }, { inspect: requireFinite });
  await writeAtomic(`${dir}/${weights}`, bytes);
  const full: CheckpointState = {
    format: "echojepa-ts-pretrain/1",
    ...state,
    optimizerSteps,
    weights,
    savedAt: new Date().toISOString(),
    backend: describeBackend(),
  };
  const text = new TextEncoder().encode(JSON.stringify(full, null, 1));
  for (const stem of stems) await writeAtomic(`${dir}/${stem}.json`, text);
  await pruneWeights(dir);
  return `${dir}/${stems[0]}.json`;
}

/**
 * Deletes weights files in `dir` that no checkpoint JSON names (left over from earlier `latest` saves) and the
 * temporary files of writes that were interrupted (`*.tmp-<pid>`, left by a kill or a full disk). Called after every
 * save and when a run starts; one run writes a checkpoint folder at a time.
 */
export async function pruneWeights(dir: string): Promise<void> {
  const named = new Set<string>();
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile) continue;
    if (e.name.includes(TMP_MARK)) {
      await Deno.remove(`${dir}/${e.name}`).catch(() => {});
      continue;
    }
    if (e.name.endsWith(".json")) {
      try {
        const s = JSON.parse(await Deno.readTextFile(`${dir}/${e.name}`)) as Partial<CheckpointState>;
        if (typeof s.weights === "string") named.add(s.weights);
      } catch {
        // A JSON that is not a checkpoint (or being written) names nothing.
      }
    } else if (e.name.endsWith(".safetensors")) files.push(e.name);
  }
  for (const f of files) if (!named.has(f)) await Deno.remove(`${dir}/${f}`).catch(() => {});
}

/** Reads a checkpoint's JSON (path to the `.json`, or a directory holding `latest.json`). */
export async function readCheckpointState(
  path: string,
): Promise<{ state: CheckpointState; jsonPath: string }> {
  let jsonPath = path;
  try {
    if ((await Deno.stat(path)).isDirectory) jsonPath = `${path}/latest.json`;
  } catch {
    throw new Error(`checkpoint: ${path} does not exist`);
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(await Deno.readTextFile(jsonPath));
  } catch (e) {
    throw new Error(`checkpoint: cannot read ${jsonPath}: ${(e as Error).message}`);
  }
  if (state.format !== "echojepa-ts-pretrain/1") {
    throw new Error(
      `checkpoint: ${jsonPath} is not an EchoJEPA-TS pretraining checkpoint (format ${state.format})`,
    );
  }
  return { state, jsonPath };
}

/** Loads the weights a checkpoint JSON names: all tensors by name (the caller owns them). */
export async function readCheckpointTensors(
  jsonPath: string,
  state: CheckpointState,
): Promise<Map<string, Tensor>> {
  const file = `${dirOf(jsonPath)}/${baseOf(state.weights)}`;
  return loadSafetensors(await Deno.readFile(file));
}

/**
 * Restores modules and optimizer from loaded checkpoint tensors (strictly: every parameter must be present with
 * its shape). Disposes the loaded tensors.
 */
export function restoreCheckpoint(
  tensors: Map<string, Tensor>,
  parts: CheckpointParts,
  state: CheckpointState,
): void {
  try {
    for (const [module, named] of Object.entries(parts.modules)) {
      const missing: string[] = [];
      for (const [name, t] of named) {
        const src = tensors.get(`${module}.${name}`);
        if (!src) {
          missing.push(name);
          continue;
        }
        if (src.shape.join() !== t.shape.join()) {
          throw new Error(
            `checkpoint: ${module}.${name} has shape [${src.shape}], the model has [${t.shape}]`,
          );
        }
        assign(t, src);
        const step = state.optimizerSteps[`${module}.${name}`];
        const m = tensors.get(`optimizer.${module}.${name}.exp_avg`);
        const v = tensors.get(`optimizer.${module}.${name}.exp_avg_sq`);
        if (step !== undefined && m && v) {
          parts.optimizer.loadParamState(
            t,
            { step, buffers: { exp_avg: m, exp_avg_sq: v } },
            `${module}.${name}`,
          );
        }
      }
      if (missing.length) {
        throw new Error(
          `checkpoint: ${module} is missing ${missing.length} tensors: ${missing.slice(0, 8).join(", ")}`,
        );
      }
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
