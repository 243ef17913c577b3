/**
 * Pretraining checkpoints in the reference's PyTorch layout, both ways, so a run can continue in the reference's
 * trainer (DDP/FSDP) and come back:
 *
 * `{encoder, predictor, target_encoder, opt, scaler, epoch, loss, batch_size, world_size, lr, itr}`, each module a
 * state dict with the `module.backbone.` prefix its DDP(MultiSeqWrapper(…)) wrapper gives it, `opt` in
 * `torch.optim.AdamW`'s state-dict layout over the reference's four parameter groups (`init_opt`: encoder decayed,
 * predictor decayed, encoder biases/1-D, predictor biases/1-D with `WD_exclude`), `scaler` a fresh GradScaler
 * state (the reference's bf16 runs construct one and load it). Files load with `torch.load(weights_only=True)`.
 *
 * What does not carry over: our loss history, seed and config (the reference keeps them in its YAML and logs), the
 * GradScaler's scale (ours trains in f32), and the data loader's position inside an epoch.
 *
 * @module
 */

import {
  adamwStateDict,
  assign,
  freshGradScalerState,
  lazySaveTensor,
  lookup,
  type PickleValue,
  PyFloat,
  type SaveValue,
  type Tensor,
  tensor,
  TorchCheckpoint,
  TorchTensorRef,
  writeTorchCheckpoint,
} from "@echojepa/tensor";
import { writeFileAtomic } from "@echojepa/video";
import { stripWrapperPrefixes } from "@echojepa/vit";
import type { CheckpointParts } from "./checkpoint.ts";

/** The numbers the reference's checkpoint carries beside the weights. */
export interface TorchPretrainInfo {
  /** Epochs completed (the reference resumes at this epoch). */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** Steps per epoch (`itr` = steps into the current epoch). */
  itersPerEpoch: number;
  /** Loss of the last step. */
  loss: number;
  /** Batch size per step. */
  batchSize: number;
}

/** Prefix of every module key: DistributedDataParallel(MultiSeqWrapper(model)). */
export const REFERENCE_MODULE_PREFIX = "module.backbone.";

/** A trainable parameter's place in the reference's optimizer. */
interface OrderedParam {
  module: string;
  name: string;
  param: Tensor;
}

/**
 * Registration order of the reference's modules' top-level attributes (`VisionTransformer`: patch_embed,
 * pos_embed, blocks, norm; `VisionTransformerPredictor`: predictor_embed, mask_tokens, predictor_pos_embed,
 * predictor_blocks, predictor_norm, predictor_proj), which is `named_parameters()` order and so the optimizer's.
 */
const REFERENCE_ATTRIBUTE_ORDER = [
  "patch_embed",
  "pos_embed",
  "blocks",
  "norm",
  "predictor_embed",
  "mask_tokens",
  "predictor_pos_embed",
  "predictor_blocks",
  "predictor_norm",
  "predictor_proj",
];

/** Our named parameters in the reference's `named_parameters()` order (inside an attribute, ours already is). */
function referenceOrder(named: [string, Tensor][]): [string, Tensor][] {
  const rank = (name: string) => {
    const i = REFERENCE_ATTRIBUTE_ORDER.indexOf(name.split(".")[0]);
    return i < 0 ? REFERENCE_ATTRIBUTE_ORDER.length : i;
  };
  return named.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i).map((x) =>
    x.e
  );
}

/**
 * The reference's AdamW parameter groups over the trainable modules (`encoder`, then `predictor` or `decoder`):
 * for each module its decayed parameters, then for each module its biases and 1-D parameters — the order of
 * `init_opt`, which fixes the integer ids of the optimizer's state dict.
 */
export function referenceParamGroups(parts: CheckpointParts): OrderedParam[][] {
  const trainable = Object.keys(parts.modules).filter((m) => m !== "target_encoder");
  const plain = (name: string, t: Tensor) => name.includes("bias") || t.rank === 1;
  const group = (noDecay: boolean) =>
    trainable.map((module) =>
      referenceOrder(parts.modules[module])
        .filter(([name, t]) => plain(name, t) === noDecay)
        .map(([name, param]) => ({ module, name, param }))
    );
  return [...group(false), ...group(true)];
}

/** Writes a pretraining checkpoint in the reference's layout (see the module documentation). */
export async function saveTorchPretrainCheckpoint(
  path: string,
  parts: CheckpointParts,
  info: TorchPretrainInfo,
): Promise<void> {
  const opt = parts.optimizer;
  const stateDict = (named: [string, Tensor][]) =>
    new Map<string, SaveValue>(
      named.map(([n, t]) => [`${REFERENCE_MODULE_PREFIX}${n}`, lazySaveTensor(t)]),
    );
  const root: Record<string, SaveValue> = {};
  for (const [module, named] of Object.entries(parts.modules)) root[module] = stateDict(named);

  const groups = referenceParamGroups(parts);
  root.opt = adamwStateDict(
    opt,
    groups.map((g, gi) => {
      const noDecay = gi >= groups.length / 2;
      return {
        params: g.map((p) => p.param),
        weightDecay: noDecay ? 0 : opt.weightDecay,
        wdExclude: noDecay,
      };
    }),
    (p) => {
      const s = opt.paramState(p);
      return s ? { step: s.step, expAvg: s.buffers.exp_avg, expAvgSq: s.buffers.exp_avg_sq } : null;
    },
  );
  root.scaler = freshGradScalerState();
  root.epoch = info.epoch;
  root.loss = new PyFloat(info.loss);
  root.batch_size = info.batchSize;
  root.world_size = 1;
  root.lr = new PyFloat(opt.lr);
  root.itr = info.step - info.epoch * info.itersPerEpoch;
  await writeFileAtomic(path, (tmp) => writeTorchCheckpoint(tmp, root));
}

/** What a restored reference checkpoint said about where the run stands. */
export interface TorchResumePoint {
  /** Optimizer steps completed (AdamW's step count; else epoch × itersPerEpoch + itr). */
  step: number;
  /** Epochs completed. */
  epoch: number;
}

function numberOf(v: PickleValue | undefined): number | undefined {
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
}

/**
 * Restores modules and optimizer from a reference-layout `.pt` (ours or the reference trainer's): every module of
 * `parts` strictly by name (wrapper prefixes stripped) and shape, AdamW's moments and step counts by the reference's
 * parameter ids. Throws naming what does not match.
 */
export function restoreTorchPretrainCheckpoint(
  path: string,
  parts: CheckpointParts,
  itersPerEpoch: number,
): TorchResumePoint {
  const ckpt = TorchCheckpoint.open(path);
  try {
    for (const [module, named] of Object.entries(parts.modules)) {
      const refs = new Map([...ckpt.tensors(module)].map(([n, r]) => [stripWrapperPrefixes(n), r]));
      const ours = new Map(named);
      const missing = named.filter(([n]) => !refs.has(n)).map(([n]) => n);
      const extra = [...refs.keys()].filter((n) => !ours.has(n));
      if (missing.length || extra.length) {
        throw new Error(
          `${path}: ${module} does not match the model (missing: ${
            missing.slice(0, 6).join(", ") || "none"
          }; ` +
            `unexpected: ${extra.slice(0, 6).join(", ") || "none"})`,
        );
      }
      ckpt.forEachTensor(refs, (name, host) => {
        const t = ours.get(name)!;
        if (host.shape.join() !== t.shape.join()) {
          throw new Error(`${path}: ${module}.${name} has shape [${host.shape}], the model has [${t.shape}]`);
        }
        const src = tensor(host.data, host.shape);
        assign(t, src);
        src.dispose();
      });
    }
    const groups = referenceParamGroups(parts);
    const saved = lookup(ckpt.root, "opt.param_groups");
    const sizes = Array.isArray(saved)
      ? saved.map((g) => {
        const p = g instanceof Map ? g.get("params") : undefined;
        return Array.isArray(p) ? p.length : -1;
      })
      : [];
    if (sizes.join() !== groups.map((g) => g.length).join()) {
      throw new Error(
        `${path}: its optimizer has parameter groups of sizes [${sizes}], this model's are ` +
          `[${groups.map((g) => g.length)}]`,
      );
    }
    const flat = groups.flat();
    const state = lookup(ckpt.root, "opt.state");
    let maxStep = 0;
    if (state instanceof Map) {
      for (const [id, entry] of state) {
        const p = flat[Number(id)];
        if (!p || !(entry instanceof Map)) {
          throw new Error(`${path}: optimizer state ${String(id)} is unknown`);
        }
        const step = entry.get("step");
        const m = entry.get("exp_avg");
        const v = entry.get("exp_avg_sq");
        if (!(m instanceof TorchTensorRef) || !(v instanceof TorchTensorRef)) {
          throw new Error(`${path}: optimizer state ${String(id)} lacks exp_avg/exp_avg_sq`);
        }
        const host = ckpt.readTensors(new Map<string, TorchTensorRef>([["m", m], ["v", v]]));
        const stepCount = step instanceof TorchTensorRef
          ? ckpt.readTensors(new Map([["s", step]])).get("s")!.data[0]
          : numberOf(step) ?? 0;
        const mt = tensor(host.get("m")!.data, host.get("m")!.shape);
        const vt = tensor(host.get("v")!.data, host.get("v")!.shape);
        try {
          parts.optimizer.loadParamState(p.param, {
            step: stepCount,
            buffers: { exp_avg: mt, exp_avg_sq: vt },
          });
        } finally {
          mt.dispose();
          vt.dispose();
        }
        maxStep = Math.max(maxStep, stepCount);
      }
    }
    const epoch = numberOf(lookup(ckpt.root, "epoch")) ?? 0;
    const itr = numberOf(lookup(ckpt.root, "itr")) ?? 0;
    return { step: maxStep > 0 ? maxStep : epoch * itersPerEpoch + itr, epoch };
  } finally {
    ckpt.close();
  }
}
