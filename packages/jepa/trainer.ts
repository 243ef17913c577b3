/**
 * The pretraining loop shared by both objectives: models, optimizer and schedules from a config; batches prepared
 * ahead; one tidy GPU step per iteration; the loss read back asynchronously every few steps (the GPU never waits
 * for the CPU); JSONL metrics and a progress bar; atomic checkpoints at epoch ends; exact resumption; a NaN/Inf guard
 * and a collapse monitor.
 *
 * @module
 */

import {
  AdamW,
  backward,
  clipGradNorm,
  describeBackend,
  detach,
  emaUpdate,
  init,
  memoryStats,
  noGrad,
  SNIFF_BYTES,
  sniffWeightsFile,
  type Tensor,
  tensor,
  tidy,
  unreadableFileError,
  weightDecayGroups,
} from "@echojepa/tensor";
import { type TokenGrid, tokenGrid, type VisionTransformer } from "@echojepa/vit";
import { buildModels } from "./models.ts";
import {
  type CheckpointParts,
  NonFiniteCheckpointError,
  pruneWeights,
  readCheckpointState,
  readCheckpointTensors,
  restoreCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import { restoreTorchPretrainCheckpoint, saveTorchPretrainCheckpoint } from "./torch_checkpoint.ts";
import { type PretrainConfig, totalSteps, validateConfig } from "./config.ts";
import {
  BatchLoader,
  type BatchProvider,
  type ClipSource,
  type HostBatch,
  sourceFromConfig,
  WorkerBatchLoader,
} from "./data.ts";
import { jepaLoss } from "./jepa_objective.ts";
import { maeLoss, tubeMasks } from "./mae.ts";
import { MultiBlockMaskCollator } from "./mask_collator.ts";
import { JsonlWriter, type StepMetrics } from "./metrics.ts";
import { ProgressBar } from "@echojepa/core";
import type { Predictor } from "./predictor.ts";
import { hyperparametersAt, type StepHyperparameters } from "./schedules.ts";
import { EchoJepaError } from "@echojepa/core";

/** Options of {@link pretrain}. */
export interface PretrainOptions {
  /** Called after each logged step (every `run.logEvery` steps), once its numbers are read back. */
  onStep?: (metrics: StepMetrics) => void;
  /** Inspect or modify each host batch before upload (e.g. to inject a fault in a test). */
  onBatch?: (batch: HostBatch, step: number) => void;
  /**
   * Resume from a checkpoint: a `.json` path, a run folder (its `checkpoints/latest.json`), true for the config's, or
   * a PyTorch `.pt` in the reference's layout (ours from `saveTorch`, or the reference trainer's; told by content).
   */
  resume?: string | boolean;
  /** Also write each checkpoint as `<stem>.pt` in the reference's PyTorch layout (see torch_checkpoint.ts). */
  saveTorch?: boolean;
  /** Stop (after writing a checkpoint) once this many steps are done, even if the config asks for more. */
  stopAtStep?: number;
  /** Use this clip source instead of the config's. */
  source?: ClipSource;
  /** Draw the progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Print run information (default true). */
  verbose?: boolean;
  /** Write checkpoints and metrics under `run.outDir` (default true). */
  writeFiles?: boolean;
}

/** What {@link pretrain} returns. */
export interface PretrainResult {
  /** The trained (online) encoder. */
  encoder: VisionTransformer;
  /** The EMA target encoder (JEPA; the reference's probes use this one), or null for MAE. */
  targetEncoder: VisionTransformer | null;
  /** The predictor (JEPA) or decoder (MAE). */
  head: Predictor;
  /** Loss of every step from step 0 (including steps before a resumption). */
  lossHistory: number[];
  /** Collapse monitor readings (step, std) at each logged step (JEPA). */
  targetStdHistory: [number, number][];
  /** Steps completed. */
  steps: number;
  /** Path of the last checkpoint JSON written, or null. */
  checkpoint: string | null;
  /** The config the run used. */
  config: PretrainConfig;
  /** Training throughput over the whole run (clips/s, excluding the first logged window's warm-up). */
  clipsPerSecond: number;
  /** Unreadable files skipped (each replaced by another clip), by error kind. */
  skipped: Partial<Record<string, number>>;
}

/** Thrown when the loss becomes NaN or infinite; the last checkpoint written before it is intact. */
export class PretrainDivergedError extends EchoJepaError {
  constructor(
    readonly step: number,
    readonly value: number,
    readonly lastCheckpoint: string | null,
    /** The non-finite tensor when the weights (not the loss) were found non-finite. */
    readonly tensor?: string,
  ) {
    super(
      (tensor
        ? `pretrain: weight ${tensor} became ${value} after step ${step}; stopping. `
        : `pretrain: the loss became ${value} at step ${step}; stopping. `) +
        (lastCheckpoint
          ? `The last good checkpoint is ${lastCheckpoint} (resume from it with a lower learning rate or clipping).`
          : "No checkpoint had been written yet."),
    );
    this.name = "PretrainDivergedError";
  }
}

/** Thrown when more of the manifest's files are unreadable than `data.maxUnreadableFraction` allows. */
export class PretrainDataError extends EchoJepaError {
  constructor(
    readonly unreadable: number,
    readonly files: number,
    readonly byKind: Partial<Record<string, number>>,
  ) {
    super(
      `pretrain: ${unreadable} of ${files} files could not be read (${
        Object.entries(byKind).map(([k, n]) => `${n} ${k}`).join(", ")
      }), more than data.maxUnreadableFraction allows; stopping`,
    );
    this.name = "PretrainDataError";
  }
}

interface PendingStep {
  step: number;
  epoch: number;
  loss: Tensor;
  targetStd: Tensor | null;
  lr: number;
  weightDecay: number;
  momentum: number;
}

/** Where a resumed run starts: the restored step, its loss and target-std history, and the checkpoint read. */
interface ResumePoint {
  step: number;
  lossHistory: number[];
  targetStdHistory: [number, number][];
  checkpoint: string;
}

/**
 * Restores the models and the optimizer from a checkpoint (a PyTorch `.pt` of the reference layout, or ours) and
 * says where the run resumes.
 */
async function restoreRun(
  where: string,
  parts: CheckpointParts,
  c: PretrainConfig,
  log: (msg: string) => void,
): Promise<ResumePoint> {
  if (await isTorchFile(where)) {
    const at = restoreTorchPretrainCheckpoint(where, parts, c.optim.itersPerEpoch);
    log(
      `resumed from ${where} (PyTorch, reference layout) at step ${at.step}; its loss history is not carried`,
    );
    return { step: at.step, lossHistory: [], targetStdHistory: [], checkpoint: where };
  }
  const { state, jsonPath } = await readCheckpointState(where);
  if (
    JSON.stringify(state.config.encoder) !== JSON.stringify(c.encoder) ||
    state.config.objective !== c.objective
  ) {
    throw new Error(
      `pretrain: checkpoint ${jsonPath} was made with a different encoder or objective than this config`,
    );
  }
  if (state.seed !== c.seed) {
    log(`warning: resuming a seed-${state.seed} run with seed ${c.seed}; batches will differ`);
  }
  restoreCheckpoint(await readCheckpointTensors(jsonPath, state), parts, state);
  const step = state.step;
  log(`resumed from ${jsonPath} at step ${step}`);
  return {
    step,
    lossHistory: state.lossHistory.slice(0, step),
    targetStdHistory: (state.targetStdHistory ?? []).filter(([s]) => s <= step),
    checkpoint: jsonPath,
  };
}

/**
 * Pretrains an encoder with the config's objective and returns the trained models and the loss history.
 *
 * @example
 * ```ts
 * import { pretrain, resolveConfig } from "@echojepa/jepa";
 * const config = resolveConfig("micro", { optim: { epochs: 1, itersPerEpoch: 5 } });
 * const result = await pretrain(config, { writeFiles: false });
 * console.log(result.lossHistory);
 * ```
 */
export async function pretrain(
  config: PretrainConfig,
  options: PretrainOptions = {},
): Promise<PretrainResult> {
  validateConfig(config);
  await init();
  const c = config;
  const verbose = options.verbose ?? true;
  const writeFiles = options.writeFiles ?? true;
  const log = (msg: string): void => {
    if (verbose) bar.log(msg);
  };
  const total = Math.min(totalSteps(c), options.stopAtStep ?? Infinity);
  const bar = new ProgressBar(totalSteps(c), { enabled: options.progress, unit: "step" });
  const checkpointDir = `${c.run.outDir}/checkpoints`;

  const { encoder, targetEncoder, head } = buildModels(c);
  const headName = c.objective === "jepa" ? "predictor" : "decoder";
  const trainable: [string, Tensor][] = [
    ...encoder.namedParameters().map(([n, t]): [string, Tensor] => [`encoder.${n}`, t]),
    ...head.namedParameters().map(([n, t]): [string, Tensor] => [`${headName}.${n}`, t]),
  ];
  const optimizer = new AdamW(weightDecayGroups(trainable, c.optim.weightDecay), {
    lr: c.optim.lr,
    betas: c.optim.betas,
    eps: c.optim.eps,
    weightDecay: c.optim.weightDecay,
  });
  const parts: CheckpointParts = {
    modules: {
      encoder: encoder.namedParameters(),
      ...(targetEncoder ? { target_encoder: targetEncoder.namedParameters() } : {}),
      [headName]: head.namedParameters(),
    },
    optimizer,
  };

  const resumed = options.resume
    ? await restoreRun(
      options.resume === true ? checkpointDir : await resolveResumePath(options.resume),
      parts,
      c,
      log,
    )
    : { step: 0, lossHistory: [], targetStdHistory: [], checkpoint: null };
  let step = resumed.step;
  const lossHistory: number[] = resumed.lossHistory;
  let lastCheckpoint: string | null = resumed.checkpoint;
  const resumedStdHistory: [number, number][] = resumed.targetStdHistory;

  // Temporary files of checkpoint writes a kill or full disk interrupted are removed before anything else.
  if (writeFiles) await pruneWeights(checkpointDir).catch(() => {});
  const source = options.source ?? await sourceFromConfig(c.data, c.seed);
  // Background workers rebuild the source from the config; a caller-provided source stays on this thread.
  const loader: BatchProvider = c.data.workers > 0 && !options.source
    ? new WorkerBatchLoader(c.data, c.optim.batchSize, c.seed, c.data.workers)
    : new BatchLoader(source, c.data, c.optim.batchSize, c.seed);
  const vc = encoder.config;
  const grid: TokenGrid = tokenGrid(vc, c.data.frames, c.data.cropSize, c.data.cropSize);
  const collator = new MultiBlockMaskCollator(grid, { generators: c.masks, seed: c.seed });
  const metricsFile = writeFiles ? new JsonlWriter(`${c.run.outDir}/metrics.jsonl`) : null;
  log(
    `pretrain "${c.name}" (${c.objective}): encoder ${vc.embedDim}×${vc.depth} (${encoder.parameterCount()} params), ` +
      `${headName} ${head.parameterCount()} params, grid ${grid.t}×${grid.h}×${grid.w}, batch ${c.optim.batchSize}, ` +
      `${totalSteps(c)} steps; data: ${source.description}; backend ${describeBackend()}`,
  );

  const startStep = step;
  let lastSavedStep = step;
  const targetStdHistory: [number, number][] = resumedStdHistory;
  let pending: PendingStep[] = [];
  let inflight: Promise<void> = Promise.resolve();
  let diverged: { step: number; value: number } | null = null;
  const startTime = performance.now();
  let windowStart = startTime;
  let measuredSteps = 0;
  let measuredSeconds = 0;
  let firstWindow = true;
  let lastCollapseWarning = -Infinity;
  const skippedByKind: Partial<Record<string, number>> = {};
  const unreadableFiles = new Set<string>();
  let skippedTotal = 0;

  /** Monitor: records the target-feature std and warns (at most once an epoch) when it suggests collapse. */
  const monitor = (lastStep: number, std: number): void => {
    targetStdHistory.push([lastStep + 1, std]);
    if (std < c.run.collapseStdThreshold && lastStep - lastCollapseWarning >= c.optim.itersPerEpoch) {
      lastCollapseWarning = lastStep;
      log(
        `warning: possible representation collapse at step ${lastStep + 1}: target-feature std across the ` +
          `batch is ${std.toExponential(2)} (< ${c.run.collapseStdThreshold})`,
      );
    }
  };

  /**
   * Log: starts reading back the pending steps (loss, target std), then writes their metrics line and moves the
   * bar; resolves when they are processed. One read in flight at a time.
   */
  const flush = async (): Promise<void> => {
    await inflight;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const reads = Promise.all(
      batch.map((p) => Promise.all([p.loss.toArray(), p.targetStd?.toArray() ?? null])),
    );
    inflight = reads.then(async (values) => {
      const now = performance.now();
      const seconds = (now - windowStart) / 1000;
      // A single window is noisy (the CPU runs ahead, so a window's GPU work can finish while the previous read
      // is awaited); report the average since the first window, which excludes pipeline compilation.
      let clipsPerSecond = (batch.length * c.optim.batchSize) / Math.max(seconds, 1e-9);
      if (!firstWindow) {
        measuredSteps += batch.length;
        measuredSeconds += seconds;
        clipsPerSecond = (measuredSteps * c.optim.batchSize) / Math.max(measuredSeconds, 1e-9);
      }
      firstWindow = false;
      windowStart = now;
      let sum = 0;
      batch.forEach((p, i) => {
        const loss = values[i][0][0];
        lossHistory[p.step] = loss;
        sum += loss;
        if (!Number.isFinite(loss) && !diverged) diverged = { step: p.step, value: loss };
        p.loss.dispose();
        p.targetStd?.dispose();
      });
      const last = batch[batch.length - 1];
      const std = values[values.length - 1][1]?.[0] ?? null;
      if (std !== null) monitor(last.step, std);
      const stats = memoryStats();
      const metrics: StepMetrics = {
        step: last.step + 1,
        epoch: last.epoch,
        loss: values[values.length - 1][0][0],
        lossMean: sum / batch.length,
        lr: last.lr,
        weightDecay: last.weightDecay,
        momentum: last.momentum,
        targetStd: std,
        clipsPerSecond,
        memoryBytes: stats.liveBytes,
        peakMemoryBytes: stats.peakBytes,
        elapsedSeconds: (now - startTime) / 1000,
        skipped: { ...skippedByKind },
      };
      await metricsFile?.write(metrics);
      options.onStep?.(metrics);
      bar.update(
        last.step + 1,
        total,
        `loss ${metrics.loss.toFixed(4)} ${clipsPerSecond.toFixed(2)} clips/s` +
          (skippedTotal > 0 ? ` ${skippedTotal} skipped` : ""),
      );
    });
    await Promise.resolve();
  };

  const checkDiverged = (): void => {
    if (diverged) throw new PretrainDivergedError(diverged.step + 1, diverged.value, lastCheckpoint);
  };

  const save = async (epoch: number): Promise<void> => {
    // Never checkpoint weights produced after a non-finite loss: read everything back first.
    await flush();
    await inflight;
    checkDiverged();
    if (!writeFiles) return;
    const stems = ["latest"];
    if (c.run.keepEveryEpochs > 0 && epoch % c.run.keepEveryEpochs === 0) {
      stems.push(`e${String(epoch).padStart(4, "0")}`);
    }
    try {
      lastCheckpoint = await saveCheckpoint(checkpointDir, stems, parts, {
        step,
        epoch,
        config: c,
        seed: c.seed,
        lossHistory: lossHistory.slice(0, step),
        targetStdHistory: targetStdHistory.filter(([s]) => s <= step),
      });
    } catch (e) {
      // The loss of step k is computed before update k: weights can turn non-finite one step before the loss
      // shows it. The checkpoint writer refuses them, and the last all-finite checkpoint stays the one to resume.
      if (e instanceof NonFiniteCheckpointError) {
        throw new PretrainDivergedError(step, e.value, lastCheckpoint, e.tensor);
      }
      throw e;
    }
    if (options.saveTorch) {
      for (const stem of stems) {
        await saveTorchPretrainCheckpoint(`${checkpointDir}/${stem}.pt`, parts, {
          epoch,
          step,
          itersPerEpoch: c.optim.itersPerEpoch,
          loss: lossHistory[step - 1] ?? NaN,
          batchSize: c.optim.batchSize,
        });
      }
    }
    lastSavedStep = step;
  };

  const encoderParams = encoder.parameters();
  const targetParams = targetEncoder?.parameters() ?? [];
  const trainableParams = trainable.map(([, t]) => t);

  /** Data: the batch of `s` (the same on every run and resume), counting and reporting unreadable files. */
  const nextBatch = async (s: number): Promise<HostBatch> => {
    const batch = await loader.get(s);
    for (const skip of batch.skipped ?? []) {
      skippedByKind[skip.kind] = (skippedByKind[skip.kind] ?? 0) + 1;
      skippedTotal++;
      if (!unreadableFiles.has(skip.file)) {
        unreadableFiles.add(skip.file);
        log(`skipped ${skip.file} (${skip.kind}: ${skip.reason}); another clip takes its place`);
      }
    }
    if (unreadableFiles.size > c.data.maxUnreadableFraction * source.size) {
      throw new PretrainDataError(unreadableFiles.size, source.size, skippedByKind);
    }
    options.onBatch?.(batch, s);
    return batch;
  };

  /** Step: loss, backward, clipping, the optimizer update and the EMA target; the loss stays on the device. */
  const trainStep = (batch: HostBatch, s: number, epoch: number, hp: StepHyperparameters): PendingStep => {
    optimizer.lr = hp.lr;
    optimizer.weightDecay = hp.weightDecay;
    const out = tidy(() => {
      const clips = tensor(batch.data, batch.shape);
      let loss: Tensor;
      let targetStd: Tensor | null = null;
      if (c.objective === "jepa") {
        const r = jepaLoss(encoder, targetEncoder!, head, clips, collator.sample(c.optim.batchSize, s), grid);
        loss = r.loss;
        targetStd = r.targetStd;
      } else {
        const masks = tubeMasks(grid, c.mae.maskRatio, c.optim.batchSize, c.seed, s);
        loss = maeLoss(encoder, head, clips, masks, grid, c.mae.normPixLoss).loss;
      }
      backward(loss);
      if (c.optim.clipGradNorm !== null) clipGradNorm(trainableParams, c.optim.clipGradNorm);
      optimizer.step();
      optimizer.zeroGrad();
      if (targetEncoder) noGrad(() => emaUpdate(targetParams, encoderParams, hp.momentum));
      return { loss: detach(loss), targetStd };
    });
    return { step: s, epoch, loss: out.loss, targetStd: out.targetStd, ...hp };
  };

  /** Checkpoint: at the end of every `checkpointEveryEpochs`-th epoch. */
  const isCheckpointStep = (s: number): boolean =>
    s % c.optim.itersPerEpoch === 0 && (s / c.optim.itersPerEpoch) % c.run.checkpointEveryEpochs === 0;

  // The loop: data → step → log (and monitor) → checkpoint, until the budget is spent or the loss diverges.
  try {
    while (step < total) {
      checkDiverged();
      const epoch = Math.floor(step / c.optim.itersPerEpoch);
      const hp = hyperparametersAt(c, step);
      const batch = await nextBatch(step);
      pending.push(trainStep(batch, step, epoch, hp));
      step++;
      if (step % c.run.logEvery === 0) await flush();
      if (isCheckpointStep(step)) await save(step / c.optim.itersPerEpoch);
    }
    await flush();
    await inflight;
    checkDiverged();
    if (lastSavedStep !== step) await save(Math.floor(step / c.optim.itersPerEpoch));
  } finally {
    loader.close();
    // Let a read still in flight (after an error) finish before the metrics file closes.
    await inflight.catch(() => {});
    for (const p of pending) {
      p.loss.dispose();
      p.targetStd?.dispose();
    }
    bar.finish();
    metricsFile?.close();
  }
  if (step > startStep) {
    log(
      `done: ${step} steps, final loss ${lossHistory[step - 1]?.toFixed(4)}` +
        (skippedTotal > 0
          ? `, ${skippedTotal} unreadable clips skipped (${unreadableFiles.size} files)`
          : "") +
        (lastCheckpoint ? `, checkpoint ${lastCheckpoint}` : ""),
    );
  }
  return {
    encoder,
    targetEncoder,
    head,
    lossHistory,
    targetStdHistory,
    steps: step,
    checkpoint: lastCheckpoint,
    config: c,
    clipsPerSecond: measuredSeconds > 0 ? (measuredSteps * c.optim.batchSize) / measuredSeconds : 0,
    skipped: skippedByKind,
  };
}

/** Whether `path` is a file whose bytes are a PyTorch checkpoint (zip or legacy pickle), not a checkpoint JSON. */
async function isTorchFile(path: string): Promise<boolean> {
  try {
    if (!(await Deno.stat(path)).isFile) return false;
  } catch {
    return false;
  }
  const file = await Deno.open(path);
  const head = new Uint8Array(SNIFF_BYTES);
  const n = (await file.read(head)) ?? 0;
  const size = (await file.stat()).size;
  file.close();
  const kind = sniffWeightsFile(head.subarray(0, n), size);
  if (kind === "pytorch-legacy" || kind === "pytorch-tar") throw unreadableFileError(kind, path);
  return kind === "pytorch-zip";
}

async function resolveResumePath(path: string): Promise<string> {
  try {
    const st = await Deno.stat(path);
    if (st.isDirectory) {
      try {
        await Deno.stat(`${path}/checkpoints/latest.json`);
        return `${path}/checkpoints/latest.json`;
      } catch {
        return path;
      }
    }
  } catch {
    throw new Error(`pretrain: resume path ${path} does not exist`);
  }
  return path;
}
