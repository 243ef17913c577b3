/**
 * The Tensor: a shape, a dtype and an opaque storage handle of the backend that made it, plus the autograd tape
 * entry that produced it.
 *
 * Tensors are always contiguous (row-major). `reshape` shares the storage; every other op writes a new one.
 * Ownership: a tensor holds a reference on its storage; `dispose()` drops it and the memory returns to its backend
 * when no tensor uses it. {@link tidy} disposes every tensor created inside it except those it returns or
 * {@link keep}s, which is how training loops keep memory flat.
 */

import type { Backend, DType, StorageHandle } from "./backends/backend.ts";
import { backend } from "./backends/registry.ts";

/** A tensor shape. */
export type Shape = readonly number[];

/** The array type a dtype reads back as. */
export type TypedArrayFor<D extends DType> = D extends "f32" ? Float32Array
  : D extends "i32" ? Int32Array
  : Uint32Array;

/**
 * Backend memory shared by a tensor and its reshaped views. `companions` are handles freed with it (saved kernel
 * state that must live exactly as long as the output, e.g. attention's log-sum-exp).
 */
class Storage {
  refs = 1;
  companions: StorageHandle[] = [];
  constructor(readonly handle: StorageHandle, readonly backend: Backend) {}
  release(): void {
    this.backend.release(this.handle);
    for (const c of this.companions) this.backend.release(c);
    this.companions = [];
  }
}

/** What autograd needs to send a gradient from an op's output to its inputs. */
export interface GradNode {
  /** The op's name, for error messages. */
  op: string;
  /** The op's inputs, in the order `backward` returns their gradients. */
  inputs: Tensor[];
  /** Maps the output gradient to one gradient per input (`null` where an input needs none). */
  backward: (grad: Tensor) => (Tensor | null)[];
}

let nextId = 1;

/** An n-dimensional array in a backend's memory. */
export class Tensor {
  /** Dimensions, outermost first. */
  readonly shape: number[];
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** A process-unique id (for debugging and tape ordering). */
  readonly id: number = nextId++;
  /** Whether gradients flow to this tensor. */
  requiresGrad = false;
  /** Accumulated gradient after `backward()`, for tensors that require it and are leaves. */
  grad: Tensor | null = null;
  /** The tape entry of the op that made this tensor, or null for leaves. */
  node: GradNode | null = null;
  /** Optional label, used in error messages. */
  name?: string;
  #storage: Storage | null;

  /**
   * Wraps a handle of the current backend, or shares another tensor's storage; use the creation functions
   * (`tensor`, `zeros`, …) rather than this.
   */
  constructor(shape: Shape, dtype: DType, storage: StorageHandle | Tensor) {
    this.shape = [...shape];
    this.dtype = dtype;
    this.size = shapeSize(shape);
    if (storage instanceof Tensor) {
      const s = storage.#live("view");
      s.refs++;
      this.#storage = s;
    } else {
      this.#storage = new Storage(storage, backend());
    }
    track(this);
  }

  /** Allocates an uninitialised tensor (kernels must write every element). */
  static empty(shape: Shape, dtype: DType = "f32"): Tensor {
    return new Tensor(shape, dtype, backend().alloc(Math.max(shapeSize(shape), 1) * 4));
  }

  #live(op: string): Storage {
    if (!this.#storage) {
      throw new Error(
        `${op}: tensor${this.name ? ` "${this.name}"` : ""} [${this.shape}] was already disposed`,
      );
    }
    return this.#storage;
  }

  /**
   * The storage handle, for kernel calls inside the package; throws if disposed or made by a backend other than
   * the current one. `op` names the caller in the error.
   */
  handle(op = "use"): StorageHandle {
    const s = this.#live(op);
    if (s.backend !== backend()) {
      throw new Error(
        `${op}: tensor [${this.shape}] lives on the ${s.backend.info.name} backend, but ${backend().info.name} is current`,
      );
    }
    return s.handle;
  }

  /** Frees `handle` (of the same backend) together with this tensor's storage. */
  attach(handle: StorageHandle): void {
    this.#live("attach").companions.push(handle);
  }

  /** Whether `dispose()` has been called. */
  get disposed(): boolean {
    return this.#storage === null;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Releases this tensor's reference on its buffer (idempotent). Its gradient is released too. */
  dispose(): void {
    const s = this.#storage;
    if (!s) return;
    this.#storage = null;
    this.node = null;
    untrack(this);
    if (--s.refs === 0) s.release();
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** A new tensor sharing this one's buffer with another shape of the same size. */
  view(shape: Shape): Tensor {
    return new Tensor(shape, this.dtype, this);
  }

  /** Reads the data back to the host. Reads started in the same tick share one device round trip. */
  async toArray(): Promise<Float32Array | Int32Array | Uint32Array> {
    const data = await backend().read(this.handle("toArray"), this.size * 4);
    if (this.dtype === "f32") return new Float32Array(data);
    if (this.dtype === "i32") return new Int32Array(data);
    return new Uint32Array(data);
  }

  /** Reads a one-element tensor as a number. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor has shape [${this.shape}], expected one element`);
    return (await this.toArray())[0];
  }

  /** Reads the data as nested arrays (for printing small tensors). */
  async toNested(): Promise<unknown> {
    const flat = Array.from(await this.toArray());
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return flat[offset];
      const stride = shapeSize(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** A string like `Tensor(f32, [2, 3])`. */
  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(", ")}]${this.disposed ? ", disposed" : ""})`;
  }
}

/** Product of the dimensions. */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Throws a clear error if `t` is disposed or has the wrong dtype. */
export function expectDType(op: string, t: Tensor, ...dtypes: DType[]): void {
  t.handle(op);
  if (!dtypes.includes(t.dtype)) {
    throw new TypeError(`${op}: expected ${dtypes.join(" or ")} tensor, got ${t.dtype} [${t.shape}]`);
  }
}

// ------------------------------------------------------------------ grad mode

let gradEnabled = true;

/** Whether ops currently record the tape. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the tape (inference, EMA updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new Error("noGrad: pass a synchronous function (the tape flag cannot span an await)");
    }
    return r;
  } finally {
    gradEnabled = prev;
  }
}

/** Attaches a tape entry to `out` when grad mode is on and any input requires a gradient. Returns `out`. */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GradNode["backward"]): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

/** A tensor with the same data that gradients do not flow through (shares the buffer). */
export function detach(t: Tensor): Tensor {
  return t.view(t.shape);
}

// ------------------------------------------------------------------ scopes

const scopes: Set<Tensor>[] = [];

function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

function untrack(t: Tensor): void {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].delete(t)) return;
}

/** Exempts tensors from the enclosing {@link tidy} scopes; they live until disposed. Returns the input. */
export function keep<T extends Tensor | Tensor[]>(t: T): T {
  for (const x of Array.isArray(t) ? t : [t]) untrack(x);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== "object") return;
  if (value instanceof Tensor) out.add(value);
  else if (Array.isArray(value)) { for (const v of value) collect(v, out, depth + 1); }
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, depth + 1);
  }
}

function closeScope(scope: Set<Tensor>, result: unknown): void {
  const kept = new Set<Tensor>();
  collect(result, kept);
  scopes.splice(scopes.lastIndexOf(scope), 1);
  for (const t of scope) if (!kept.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) { for (const t of kept) if (!t.disposed) parent.add(t); }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors in its result (a tensor, or arrays and
 * plain objects holding tensors) and those passed to {@link keep}. Works with async functions too, as long as no
 * other tidy scope is opened concurrently.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (r) => (closeScope(scope, r), r),
      (e) => {
        closeScope(scope, undefined);
        throw e;
      },
    ) as T;
  }
  closeScope(scope, result);
  return result;
}
