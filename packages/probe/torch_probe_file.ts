/**
 * Probe files in the layout the reference's frozen evaluation saves and loads (`evals/video_classification_frozen`
 * `save_checkpoint` / `load_checkpoint`): `{classifiers: [state dict per head], opt: [AdamW state dict per head],
 * scaler: [GradScaler state per head], epoch, batch_size, world_size, best_val_acc_per_head, …}`. Every head's
 * keys carry `module.`, as the reference's DistributedDataParallel wrapping gives them; `opt` has each head's two
 * parameter groups (decayed; biases and 1-D with `WD_exclude`) and no moments (ours are not kept after training).
 * Files load with `torch.load(weights_only=True)`.
 *
 * @module
 */

import {
  adamwStateDict,
  freshGradScalerState,
  lazySaveTensor,
  type Module,
  PyFloat,
  type SaveValue,
  writeTorchCheckpoint,
} from "@echojepa/tensor";

/** What the file records beside the heads. */
export interface TorchProbeFileInfo {
  /** Epochs trained. */
  epoch: number;
  /** Batch size. */
  batchSize: number;
  /** Learning rate and weight decay of each head (the grid point it was trained at). */
  hyper: { lr: number; weightDecay: number }[];
  /**
   * Validation score of each head, higher is better (accuracy for classifiers; for regressors the negated MAE),
   * stored as `best_val_acc_per_head` so readers pick the best head from the file.
   */
  valScorePerHead?: number[];
}

/** Writes heads (attentive or linear probes) as a reference probe file. */
export async function saveTorchProbeFile(
  path: string,
  heads: Module[],
  info: TorchProbeFileInfo,
): Promise<void> {
  if (info.hyper.length !== heads.length) {
    throw new RangeError(`saveTorchProbeFile: ${heads.length} heads, ${info.hyper.length} grid points`);
  }
  const classifiers = heads.map((h) =>
    new Map<string, SaveValue>(h.namedParameters().map(([n, t]) => [`module.${n}`, lazySaveTensor(t)]))
  );
  const opt = heads.map((h, i) => {
    const named = h.namedParameters();
    const plain = (n: string, rank: number) => n.includes("bias") || rank === 1;
    return adamwStateDict(
      { lr: info.hyper[i].lr, betas: [0.9, 0.999], eps: 1e-8 },
      [
        {
          params: named.filter(([n, t]) => !plain(n, t.rank)).map(([, t]) => t),
          weightDecay: info.hyper[i].weightDecay,
        },
        {
          params: named.filter(([n, t]) => plain(n, t.rank)).map(([, t]) => t),
          weightDecay: 0,
          wdExclude: true,
        },
      ],
      () => null,
    );
  });
  const root: Record<string, SaveValue> = {
    classifiers,
    opt,
    scaler: heads.map(() => freshGradScalerState()),
    epoch: info.epoch,
    batch_size: info.batchSize,
    world_size: 1,
  };
  if (info.valScorePerHead) {
    const scores = info.valScorePerHead.map((s) => new PyFloat(s));
    root.best_val_acc_per_head = scores;
    root.best_val_acc = new PyFloat(Math.max(...info.valScorePerHead));
  }
  await writeTorchCheckpoint(path, root);
}
