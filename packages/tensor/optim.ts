/**
 * Optimizers: AdamW (one fused kernel per parameter tensor) and SGD with momentum, with parameter groups.
 *
 * Semantics follow PyTorch's `torch.optim.AdamW` and `torch.optim.SGD`, so hyper-parameters from V-JEPA/EchoJEPA
 * configs carry over unchanged. Each step updates the parameters, and the optimizer state, in place on the device:
 * a step allocates nothing after the first (which creates the moment buffers) and never reads back.
 *
 * ```ts
 * const opt = new AdamW(weightDecayGroups(model.namedParameters(), 0.04), { lr: 1e-3 });
 * for (let step = 0; step < steps; step++) {
 *   opt.lr = warmupCosineLr(step + 1, schedule);
 *   tidy(() => { backward(loss()); opt.step(); opt.zeroGrad(); });
 * }
 * ```
 */

import { full } from "./ops/elementwise.ts";
import { adamwStepInPlace, assign, sgdStepInPlace } from "./ops/param_update.ts";
import { keep, noGrad, type Tensor } from "./tensor.ts";

/** A set of parameters sharing a weight decay. */
export interface ParamGroup {
  /** The parameters (leaf tensors with `requiresGrad`). */
  params: Tensor[];
  /** Weight decay of this group (default: the optimizer's). */
  weightDecay?: number;
  /**
   * Keep this group's weight decay fixed when the optimizer's `weightDecay` is set (V-JEPA's `WD_exclude`: the
   * no-decay group of biases and 1-D parameters stays at 0 under a weight-decay schedule).
   */
  fixedWeightDecay?: boolean;
}

/** A parameter group with its weight decay resolved. */
export interface ResolvedParamGroup {
  /** The parameters. */
  params: Tensor[];
  /** Current weight decay. */
  weightDecay: number;
  /** Whether setting the optimizer's `weightDecay` leaves this group alone. */
  fixedWeightDecay: boolean;
}

/**
 * Splits named parameters into a decayed group (weights of rank ≥ 2 and other non-bias tensors) and a group with
 * weight decay 0 for biases and 1-D parameters (LayerNorm scales), exactly as V-JEPA's `init_opt`: a parameter is
 * decayed unless its name contains "bias" or it is 1-D. The no-decay group is excluded from weight-decay schedules.
 */
export function weightDecayGroups(named: Iterable<[string, Tensor]>, weightDecay: number): ParamGroup[] {
  const decayed: Tensor[] = [];
  const plain: Tensor[] = [];
  for (const [name, t] of named) {
    if (name.includes("bias") || t.rank === 1) plain.push(t);
    else decayed.push(t);
  }
  return [
    { params: decayed, weightDecay },
    { params: plain, weightDecay: 0, fixedWeightDecay: true },
  ];
}

function resolveGroups(
  op: string,
  params: ParamGroup[] | Tensor[],
  weightDecay: number,
): ResolvedParamGroup[] {
  const groups: ParamGroup[] = params.length > 0 && !("params" in params[0])
    ? [{ params: params as Tensor[] }]
    : (params as ParamGroup[]);
  const seen = new Set<Tensor>();
  return groups.map((g, gi) => {
    for (const t of g.params) {
      if (seen.has(t)) throw new Error(`${op}: a parameter ${t} appears twice (group ${gi})`);
      seen.add(t);
      if (t.dtype !== "f32") throw new TypeError(`${op}: parameter ${t} in group ${gi} is not f32`);
    }
    return {
      params: [...g.params],
      weightDecay: g.weightDecay ?? weightDecay,
      fixedWeightDecay: g.fixedWeightDecay ?? false,
    };
  });
}

/** Optimizer state as tensors plus string metadata (what `saveSafetensors` writes). */
export interface OptimizerState {
  /** State buffers by `"<parameter index>.<buffer name>"`. */
  tensors: Map<string, Tensor>;
  /** `optimizer`: the class name; `steps`: JSON map of parameter index → step count. */
  metadata: Record<string, string>;
}

/** One parameter's optimizer state: its step count and its buffers by PyTorch's names (`exp_avg`, `exp_avg_sq`). */
export interface ParamState {
  /** Steps this parameter has taken. */
  step: number;
  /** State buffers by name, each shaped like the parameter. */
  buffers: Record<string, Tensor>;
}

/** Shared parts of the optimizers: groups, weight decay, gradient clearing and state disposal. */
export abstract class Optimizer {
  /** Learning rate used by the next `step()`; set it every step from a schedule. */
  lr: number;
  /** The parameter groups. */
  readonly groups: ResolvedParamGroup[];
  #weightDecay: number;
  /** Per-parameter state tensors (moments, momentum buffers), kept outside every `tidy` scope. */
  protected readonly state: Map<Tensor, { step: number; buffers: Tensor[] }> = new Map();

  constructor(op: string, params: ParamGroup[] | Tensor[], lr: number, weightDecay: number) {
    if (!(lr >= 0)) throw new RangeError(`${op}: learning rate must be ≥ 0, got ${lr}`);
    this.lr = lr;
    this.#weightDecay = weightDecay;
    this.groups = resolveGroups(op, params, weightDecay);
  }

  /** The default weight decay; setting it updates every group not marked `fixedWeightDecay`. */
  get weightDecay(): number {
    return this.#weightDecay;
  }
  set weightDecay(wd: number) {
    this.#weightDecay = wd;
    for (const g of this.groups) if (!g.fixedWeightDecay) g.weightDecay = wd;
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  /** Every parameter, over all groups. */
  parameters(): Tensor[] {
    return this.groups.flatMap((g) => g.params);
  }

  /** Disposes and clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const t of this.parameters()) {
      t.grad?.dispose();
      t.grad = null;
    }
  }

  /** Number of steps taken by the parameter that has taken the most. */
  get stepCount(): number {
    let n = 0;
    for (const s of this.state.values()) n = Math.max(n, s.step);
    return n;
  }

  /**
   * The state of `param` (the live tensors, not copies), or null before its first step. This and
   * {@link Optimizer.loadParamState} are the one way to read and restore optimizer state; {@link Optimizer.stateDict}
   * and checkpoint writers name the same state their own way.
   */
  paramState(param: Tensor): ParamState | null {
    const s = this.state.get(param);
    if (!s) return null;
    const buffers: Record<string, Tensor> = {};
    s.buffers.forEach((b, j) => buffers[this.bufferNames[j]] = b);
    return { step: s.step, buffers };
  }

  /** Restores the state of `param`: the step count, and every named buffer copied on the device. */
  loadParamState(param: Tensor, state: ParamState, what = "parameter"): void {
    const op = `${this.constructor.name}.loadParamState`;
    const s = this.stateOf(param, this.bufferNames.length);
    s.step = state.step;
    s.buffers.forEach((b, j) => {
      const name = this.bufferNames[j];
      const src = state.buffers[name];
      if (!src || src.shape.join() !== b.shape.join()) {
        throw new RangeError(
          `${op}: ${what} "${name}" is ${src ? `[${src.shape}]` : "missing"}, expected [${b.shape}]`,
        );
      }
      assign(b, src);
    });
  }

  /**
   * The optimizer state for checkpoints, in the form `saveSafetensors` takes: tensors named
   * `"<parameter index>.<buffer>"` (PyTorch's buffer names, e.g. `3.exp_avg`; the index counts parameters over all
   * groups in order) and the per-parameter step counts as metadata. The tensors are the live state, not copies.
   */
  stateDict(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    this.parameters().forEach((p, k) => {
      const s = this.paramState(p);
      if (!s) return;
      steps[k] = s.step;
      for (const [name, b] of Object.entries(s.buffers)) tensors.set(`${k}.${name}`, b);
    });
    return { tensors, metadata: { optimizer: this.constructor.name, steps: JSON.stringify(steps) } };
  }

  /**
   * Restores state saved by {@link Optimizer.stateDict} (e.g. after `loadSafetensors`) into an optimizer over the
   * same parameters in the same order: buffers are copied on the device, step counts restored.
   */
  loadStateDict(state: OptimizerState): void {
    const op = `${this.constructor.name}.loadStateDict`;
    if (state.metadata.optimizer !== this.constructor.name) {
      throw new Error(`${op}: state was saved by ${state.metadata.optimizer ?? "an unknown optimizer"}`);
    }
    const steps = JSON.parse(state.metadata.steps ?? "{}") as Record<string, number>;
    const params = this.parameters();
    for (const [key, step] of Object.entries(steps)) {
      const p = params[Number(key)];
      if (!p) {
        throw new RangeError(`${op}: state for parameter ${key}, but the optimizer has ${params.length}`);
      }
      const buffers: Record<string, Tensor> = {};
      for (const name of this.bufferNames) {
        const src = state.tensors.get(`${key}.${name}`);
        if (src) buffers[name] = src;
      }
      this.loadParamState(p, { step, buffers }, `parameter ${key}`);
    }
  }

  /** Names of the per-parameter state buffers, in the order `step()` uses them. */
  protected abstract get bufferNames(): string[];

  /** Frees the optimizer state (moment buffers). */
  dispose(): void {
    for (const s of this.state.values()) for (const b of s.buffers) b.dispose();
    this.state.clear();
  }

  /** Returns the state of `t`, creating `count` zeroed buffers shaped like it on first use. */
  protected stateOf(t: Tensor, count: number): { step: number; buffers: Tensor[] } {
    let s = this.state.get(t);
    if (!s) {
      const buffers = noGrad(() => Array.from({ length: count }, () => keep(full(t.shape, 0))));
      s = { step: 0, buffers };
      this.state.set(t, s);
    }
    return s;
  }
}

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Learning rate. */
  lr: number;
  /** Moment decay rates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Denominator epsilon (default 1e-8). */
  eps?: number;
  /** Default decoupled weight decay for groups that do not set one (default 0.01, as PyTorch). */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter), as PyTorch's `torch.optim.AdamW`: per step `p ← p − lr·wd·p`, then
 * `p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)` with `m`, `v` the running moments of the gradient.
 * Parameters without a gradient are skipped (their step count does not advance).
 */
export class AdamW extends Optimizer {
  /** Moment decay rates. */
  betas: [number, number];
  /** Denominator epsilon. */
  eps: number;

  constructor(params: ParamGroup[] | Tensor[], options: AdamWOptions) {
    const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0.01 } = options;
    super("AdamW", params, lr, weightDecay);
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
  }

  /** First and second moments (PyTorch's names). */
  protected get bufferNames(): string[] {
    return ["exp_avg", "exp_avg_sq"];
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    for (const g of this.groups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        const s = this.stateOf(p, this.bufferNames.length);
        s.step++;
        adamwStepInPlace(p, p.grad, s.buffers[0], s.buffers[1], {
          lr: this.lr,
          beta1: this.betas[0],
          beta2: this.betas[1],
          eps: this.eps,
          weightDecay: g.weightDecay,
          step: s.step,
        });
      }
    }
  }
}

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (coupled, as PyTorch SGD; default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, as PyTorch's `torch.optim.SGD`:
 * `d = g + wd·p; b = μ·b + (1−dampening)·d` (b = d on the first step); `p ← p − lr·(nesterov ? d + μ·b : b)`.
 */
export class SGD extends Optimizer {
  /** Momentum factor. */
  momentum: number;
  /** Momentum dampening. */
  dampening: number;
  /** Whether to use Nesterov momentum. */
  nesterov: boolean;

  constructor(params: ParamGroup[] | Tensor[], options: SGDOptions) {
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = options;
    super("SGD", params, lr, weightDecay);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new RangeError("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    }
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
  }

  /** The momentum buffer, when momentum is on (PyTorch's name). */
  protected get bufferNames(): string[] {
    return this.momentum > 0 ? ["momentum_buffer"] : [];
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    for (const g of this.groups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        const s = this.stateOf(p, this.bufferNames.length);
        s.step++;
        sgdStepInPlace(p, p.grad, s.buffers[0] ?? null, {
          lr: this.lr,
          momentum: this.momentum,
          dampening: this.dampening,
          weightDecay: g.weightDecay,
          nesterov: this.nesterov,
          first: s.step === 1,
        });
      }
    }
  }
}
