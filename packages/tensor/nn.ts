/**
 * Neural-network building blocks: the {@link Module} base class with PyTorch-style dotted parameter names, and
 * parameter initializers.
 *
 * A module's parameters are found two ways, so subclasses stay plain classes:
 * - explicitly, with {@link Module.registerParameter} / {@link Module.registerModule} (for names that are not
 *   identifiers, or modules built in a loop);
 * - by walking the module's own enumerable properties: a `Tensor` is a parameter, a `Module` is a child, and an
 *   array of either gives `name.0`, `name.1`, … (so `blocks: Block[]` yields `blocks.0.attn.qkv.weight`).
 * Properties whose names start with `_` (and JS `#private` fields) are skipped: keep caches and non-persistent
 * tensors there.
 *
 * {@link Linear} and {@link LayerNorm} are the two layers every transformer here is made of.
 *
 * Names match the PyTorch checkpoints of V-JEPA/EchoJEPA when modules use the same attribute names, so
 * `loadStateDict` can take a converted checkpoint directly.
 */

import { ones, truncNormal, zeros } from "./creation.ts";
import { layerNorm } from "./ops/layernorm.ts";
import { linear } from "./ops/matmul.ts";
import { assign } from "./ops/param_update.ts";
import { keep, type Shape, Tensor } from "./tensor.ts";

/** Options for {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw when any key is missing, unexpected or mis-shaped (default true); otherwise load what matches. */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} found: keys that were not loaded, by reason. */
export interface LoadStateDictResult {
  /** Parameters of the module that the state dict does not have. */
  missing: string[];
  /** State-dict keys that name no parameter of the module. */
  unexpected: string[];
  /** Keys in both whose shape or dtype differ, e.g. `"fc.weight: module f32 [4,3] vs state dict f32 [3,4]"`. */
  mismatched: string[];
}

/** Base class of layers and models: a tree of child modules holding named parameters. */
export class Module {
  /** True in training mode (dropout active, …); set with {@link Module.train} / {@link Module.eval}. */
  training = true;
  #registeredParams = new Map<string, Tensor>();
  #registeredModules = new Map<string, Module>();

  /** Registers `t` as a parameter under `name` (marked `requiresGrad`, exempt from `tidy`). Returns `t`. */
  registerParameter(name: string, t: Tensor): Tensor {
    checkName("registerParameter", name);
    this.#registeredParams.set(name, parameter(t));
    return t;
  }

  /** Registers a child module under `name`. Returns the child. */
  registerModule<M extends Module>(name: string, m: M): M {
    checkName("registerModule", name);
    this.#registeredModules.set(name, m);
    return m;
  }

  /** Direct parameters and children: registered ones first, then own properties in definition order. */
  #entries(): { params: [string, Tensor][]; children: [string, Module][] } {
    const params: [string, Tensor][] = [...this.#registeredParams];
    const children: [string, Module][] = [...this.#registeredModules];
    for (const key of Object.keys(this)) {
      if (key.startsWith("_")) continue;
      const value = (this as Record<string, unknown>)[key];
      const items: [string, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [`${key}.${i}`, v])
        : [[key, value]];
      for (const [name, v] of items) {
        if (v instanceof Tensor) params.push([name, v]);
        else if (v instanceof Module) children.push([name, v]);
      }
    }
    return { params, children };
  }

  /** Child modules with their names (direct children only). */
  namedChildren(): [string, Module][] {
    return this.#entries().children;
  }

  /** Every parameter with its dotted name, depth-first; a tensor shared by two modules is listed once. */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    return this.#allNamed("").filter(([, t]) => {
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    });
  }

  #allNamed(prefix: string): [string, Tensor][] {
    const { params, children } = this.#entries();
    const out: [string, Tensor][] = params.map(([n, t]) => [prefix + n, t]);
    for (const [n, child] of children) out.push(...child.#allNamed(`${prefix}${n}.`));
    return out;
  }

  /** Every parameter (deduplicated), in {@link Module.namedParameters} order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Total number of parameter elements. */
  parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** Name → parameter tensor (the live tensors, not copies: read or save them, do not dispose them). */
  stateDict(): Map<string, Tensor> {
    return new Map(this.#allNamed(""));
  }

  /**
   * Copies values from `state` into the existing parameters, on the device (the parameter tensors keep their
   * identity, so optimizers holding them stay valid). With `strict` (the default) any missing, unexpected or
   * mis-shaped key throws one error listing all of them, before anything is copied. Returns what was skipped.
   */
  loadStateDict(
    state: Map<string, Tensor> | Record<string, Tensor>,
    { strict = true }: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const source = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const result: LoadStateDictResult = { missing: [], unexpected: [], mismatched: [] };
    const copies: [Tensor, Tensor][] = [];
    for (const [name, dst] of own) {
      const src = source.get(name);
      if (!src) result.missing.push(name);
      else if (src.dtype !== dst.dtype || src.shape.join() !== dst.shape.join()) {
        result.mismatched.push(
          `${name}: module ${dst.dtype} [${dst.shape}] vs state dict ${src.dtype} [${src.shape}]`,
        );
      } else copies.push([src, dst]);
    }
    for (const name of source.keys()) if (!own.has(name)) result.unexpected.push(name);
    const problems = result.missing.length + result.unexpected.length + result.mismatched.length;
    if (strict && problems > 0) {
      const list = (label: string, keys: string[]): string =>
        keys.length
          ? `\n  ${label} (${keys.length}): ${keys.slice(0, 20).join(", ")}${keys.length > 20 ? ", …" : ""}`
          : "";
      throw new Error(
        `loadStateDict (${this.constructor.name}): state dict does not match the module` +
          list("missing", result.missing) + list("unexpected", result.unexpected) +
          list("mis-shaped", result.mismatched) +
          "\n  (pass { strict: false } to load the matching keys only)",
      );
    }
    for (const [src, dst] of copies) assign(dst, src);
    return result;
  }

  /** Sets training mode on this module and every descendant. Returns `this`. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.#entries().children) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (`train(false)`). Returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /** Disposes every parameter (and its gradient) of this module and its descendants. */
  dispose(): void {
    for (const [, t] of this.#allNamed("")) t.dispose();
  }
}

function checkName(op: string, name: string): void {
  if (name === "" || name.includes(".")) {
    throw new Error(`${op}: name "${name}" must be non-empty and contain no "." (dots separate modules)`);
  }
}

// ------------------------------------------------------------------ initializers

/** Marks `t` as a trainable parameter: `requiresGrad`, and exempt from enclosing `tidy` scopes. Returns `t`. */
export function parameter(t: Tensor): Tensor {
  t.requiresGrad = true;
  return keep(t);
}

let initCounter = 0;

/**
 * A fresh seed for an initializer that was not given one: a counter, so layers built in the same order get the
 * same weights in every run. {@link setInitSeed} restarts it.
 */
export function nextInitSeed(): number {
  return (0x5eed + 7919 * initCounter++) >>> 0;
}

/** Restarts the default-seed counter used by initializers without an explicit seed. */
export function setInitSeed(seed: number): void {
  initCounter = seed;
}

/**
 * Runs `build` with the default-seed counter restarted at `seed`, then puts the counter back: what `build` creates is
 * a function of `seed` alone, and layers built afterwards get the seeds they would have got without it.
 *
 * @example
 * ```ts
 * import { Linear, withInitSeed } from "@echojepa/tensor";
 * const a = withInitSeed(7, () => new Linear(4, 2));
 * const b = withInitSeed(7, () => new Linear(4, 2)); // the same weights as `a`
 * ```
 */
export function withInitSeed<T>(seed: number, build: () => T): T {
  const saved = initCounter;
  initCounter = seed;
  try {
    return build();
  } finally {
    initCounter = saved;
  }
}

/** A parameter drawn from N(0, std²) truncated to [−2, 2] (PyTorch `trunc_normal_(std=0.02)` as in ViTs). */
export function truncNormalParameter(shape: Shape, std = 0.02, seed: number = nextInitSeed()): Tensor {
  return parameter(truncNormal(shape, std, 0, -2, 2, { seed }));
}

/** A parameter of zeros (biases). */
export function zerosParameter(shape: Shape): Tensor {
  return parameter(zeros(shape));
}

/** A parameter of ones (normalisation scales). */
export function onesParameter(shape: Shape): Tensor {
  return parameter(ones(shape));
}

// ------------------------------------------------------------------ layers

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Seed of the weight initialisation (default: the next seed of the init counter). */
  seed?: number;
}

/**
 * `y = x·Wᵀ + b` over the last axis. The weight is `[outFeatures, inFeatures]` (PyTorch layout, so checkpoints load
 * as they are), drawn from a truncated normal with std 0.02 (the ViT/V-JEPA init); the bias starts at zero.
 */
export class Linear extends Module {
  /** Weight `[outFeatures, inFeatures]`. */
  weight: Tensor;
  /** Bias `[outFeatures]`, or null without bias. */
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    const { bias = true, seed } = options;
    this.weight = truncNormalParameter([outFeatures, inFeatures], 0.02, seed ?? nextInitSeed());
    this.bias = bias ? zerosParameter([outFeatures]) : null;
  }

  /** Applies the layer to `x [..., inFeatures]`, giving `[..., outFeatures]`. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, PyTorch's). */
  eps?: number;
  /** Learn a scale (init 1) and shift (init 0) (default true). */
  affine?: boolean;
}

/** Layer normalisation over the last axis, with optional learned `weight` and `bias` of size `dim`. */
export class LayerNorm extends Module {
  /** Scale `[dim]`, or null without affine parameters. */
  weight: Tensor | null;
  /** Shift `[dim]`, or null without affine parameters. */
  bias: Tensor | null;
  /** Added to the variance. */
  readonly eps: number;

  constructor(readonly dim: number, options: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, affine = true } = options;
    this.eps = eps;
    this.weight = affine ? onesParameter([dim]) : null;
    this.bias = affine ? zerosParameter([dim]) : null;
  }

  /** Normalises `x [..., dim]`. */
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.dim) {
      throw new RangeError(`LayerNorm(${this.dim}): input [${x.shape}] has the wrong last axis`);
    }
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
