/**
 * The optimizer and GradScaler entries of the reference's checkpoints, in PyTorch's state-dict layouts, for
 * {@link writeTorchCheckpoint}: what `torch.optim.AdamW.state_dict()` and `torch.cuda.amp.GradScaler.state_dict()`
 * return, so that the reference's `opt.load_state_dict` / `scaler.load_state_dict` accept our files.
 *
 * @module
 */

import type { Tensor } from "../tensor.ts";
import { PyFloat, SaveTensor, type SaveValue } from "./torch_save.ts";

/** One parameter group of an AdamW state dict, parameters in the order the loading side builds them. */
export interface AdamWGroupSpec {
  /** The group's parameters. */
  params: Tensor[];
  /** Its weight decay. */
  weightDecay: number;
  /** V-JEPA's `WD_exclude` flag (its weight-decay schedule leaves the group alone). */
  wdExclude?: boolean;
}

/** A parameter's AdamW state: step count and moments. */
export interface AdamWMoments {
  /** Steps taken. */
  step: number;
  /** First moment. */
  expAvg: Tensor;
  /** Second moment. */
  expAvgSq: Tensor;
}

/** A float tensor read back from the device only when the writer reaches it. */
export function lazySaveTensor(t: Tensor): SaveTensor {
  if (t.dtype !== "f32") throw new Error(`lazySaveTensor: ${t.dtype} tensor where f32 was expected`);
  return new SaveTensor(t.shape, async () => (await t.toArray()) as Float32Array);
}

/**
 * `torch.optim.AdamW.state_dict()`: `state` keyed by parameter id (ids count through the groups in order; a
 * parameter without state is left out, as PyTorch does before its first step), `param_groups` with the
 * hyper-parameters PyTorch ≥ 1.13 stores and the ids.
 */
export function adamwStateDict(
  hyper: { lr: number; betas: [number, number]; eps: number },
  groups: AdamWGroupSpec[],
  momentsOf: (param: Tensor) => AdamWMoments | null,
): SaveValue {
  const state = new Map<number, SaveValue>();
  const paramGroups: SaveValue[] = [];
  let id = 0;
  for (const g of groups) {
    const ids: number[] = [];
    for (const p of g.params) {
      const s = momentsOf(p);
      if (s) {
        state.set(id, {
          step: new SaveTensor([], new Float32Array([s.step])),
          exp_avg: lazySaveTensor(s.expAvg),
          exp_avg_sq: lazySaveTensor(s.expAvgSq),
        });
      }
      ids.push(id++);
    }
    paramGroups.push({
      lr: new PyFloat(hyper.lr),
      betas: Object.freeze([new PyFloat(hyper.betas[0]), new PyFloat(hyper.betas[1])]) as SaveValue[],
      eps: new PyFloat(hyper.eps),
      weight_decay: new PyFloat(g.weightDecay),
      amsgrad: false,
      maximize: false,
      foreach: null,
      capturable: false,
      differentiable: false,
      fused: null,
      ...(g.wdExclude ? { WD_exclude: true } : {}),
      params: ids,
    });
  }
  return { state, param_groups: paramGroups };
}

/**
 * A GradScaler's `state_dict()` before its first step (PyTorch's defaults). The reference's bf16 runs construct a
 * scaler and load this entry into it, so a file without one (None) would not resume there.
 */
export function freshGradScalerState(): SaveValue {
  return {
    scale: new PyFloat(65536),
    growth_factor: new PyFloat(2),
    backoff_factor: new PyFloat(0.5),
    growth_interval: 2000,
    _growth_tracker: 0,
  };
}
