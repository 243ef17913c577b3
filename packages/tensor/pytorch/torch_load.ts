/**
 * Opening a PyTorch checkpoint (the zip archive `torch.save` writes since PyTorch 1.6: `<root>/data.pkl`,
 * `<root>/data/<key>` per storage, `<root>/version`, and since 2.1 `<root>/byteorder`) and reading its tensors to the
 * host.
 *
 * Opening reads the zip directory and the pickle only. Tensor data is read on request, one storage at a time, so
 * taking `target_encoder` out of a training checkpoint reads that module's storages and nothing else. Views are
 * honoured as PyTorch stores them (any storage offset and strides; several tensors on one storage); f16, bf16 and
 * f64 become f32, integer and boolean types become i32 (an int64 outside the i32 range is an error naming it).
 *
 * @module
 */

import { bfloat16BytesToFloat32, halfBytesToFloat32 } from "../half.ts";
import { type ByteSource, bytesSource, fileSource } from "./byte_source.ts";
import { TorchCheckpointError } from "./errors.ts";
import type { HostTensor } from "./host_tensor.ts";
import {
  type PickleValue,
  TORCH_DTYPE_BYTES,
  type TorchDType,
  TorchStorageRef,
  TorchTensorRef,
  unpickle,
} from "./pickle_reader.ts";
import { SNIFF_BYTES, sniffWeightsFile, unreadableFileError } from "./sniff.ts";
import { readZipDirectory, readZipEntry, type ZipEntry } from "./zip_reader.ts";

/** Options of {@link TorchCheckpoint.open}. */
export interface OpenTorchOptions {
  /** Check each storage against its zip CRC-32 (default true; costs about a second per GB). */
  verifyChecksums?: boolean;
}

/** An opened PyTorch checkpoint: its pickled structure, and its tensors' data on demand. */
export class TorchCheckpoint {
  /** The unpickled object, with {@link TorchTensorRef} leaves where tensors are. */
  readonly root: PickleValue;
  /** Where the bytes come from. */
  readonly source: ByteSource;
  readonly #entries: Map<string, ZipEntry>;
  readonly #prefix: string;
  readonly #verify: boolean;

  private constructor(
    source: ByteSource,
    root: PickleValue,
    entries: Map<string, ZipEntry>,
    prefix: string,
    verify: boolean,
  ) {
    this.source = source;
    this.root = root;
    this.#entries = entries;
    this.#prefix = prefix;
    this.#verify = verify;
  }

  /**
   * Opens a checkpoint from bytes in memory or a file path (read piecewise; call {@link close}). Throws a
   * {@link TorchCheckpointError}: "legacy-format" / "not-a-checkpoint" for files this reader does not open (with
   * how to convert them), "forbidden-global" for pickles that name anything outside the allowed list,
   * "truncated"/"corrupt" for damaged files.
   */
  static open(input: Uint8Array | string, options: OpenTorchOptions = {}): TorchCheckpoint {
    const source = typeof input === "string" ? fileSource(input) : bytesSource(input);
    try {
      return TorchCheckpoint.#open(source, options.verifyChecksums ?? true);
    } catch (e) {
      source.close();
      throw e;
    }
  }

  static #open(source: ByteSource, verify: boolean): TorchCheckpoint {
    const head = source.read(0, Math.min(SNIFF_BYTES, source.size));
    const kind = sniffWeightsFile(head, source.size);
    if (kind !== "pytorch-zip") throw unreadableFileError(kind, source.name);
    const entries = readZipDirectory(source);
    const pkl = [...entries.keys()].find((n) => n === "data.pkl" || /^[^/]+\/data\.pkl$/.test(n));
    if (!pkl) {
      throw new TorchCheckpointError(
        "not-a-checkpoint",
        `${source.name} is a zip archive without a data.pkl: not a torch.save checkpoint (TorchScript archives ` +
          `and other zips are not read)`,
      );
    }
    const prefix = pkl.slice(0, pkl.length - "data.pkl".length);
    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder) {
      const order = new TextDecoder().decode(readZipEntry(source, byteorder, verify)).trim();
      if (order !== "little") {
        throw new TorchCheckpointError(
          "unsupported",
          `${source.name} stores its tensors ${order}-endian; re-save it on a little-endian machine`,
        );
      }
    }
    const storages = new Map<string, TorchStorageRef>();
    const root = unpickle(readZipEntry(source, entries.get(pkl)!, verify), {
      source: `${source.name} (${pkl})`,
      persistentLoad: (pid, dtype) => {
        const [, , key, , numel] = pid;
        const k = typeof key === "string" ? key : String(key);
        if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) {
          throw new TorchCheckpointError("corrupt", `${source.name}: storage ${k} has a bad element count`);
        }
        const known = storages.get(k);
        if (known) return known;
        const entry = entries.get(`${prefix}data/${k}`);
        if (!entry) {
          throw new TorchCheckpointError(
            "corrupt",
            `${source.name}: the pickle names storage ${k}, the zip lacks it`,
          );
        }
        if (entry.size !== numel * TORCH_DTYPE_BYTES[dtype]) {
          throw new TorchCheckpointError(
            "corrupt",
            `${source.name}: storage ${k} holds ${entry.size} bytes, ${numel} × ${dtype} needs ` +
              `${numel * TORCH_DTYPE_BYTES[dtype]}`,
          );
        }
        const s = new TorchStorageRef(k, dtype, numel);
        storages.set(k, s);
        return s;
      },
    });
    return new TorchCheckpoint(source, root, entries, prefix, verify);
  }

  /**
   * Every tensor under the root (or under `select`, a dotted path such as `"target_encoder"` or
   * `"classifiers.0"`), by dotted name relative to it: dict keys and list indices joined with ".".
   */
  tensors(select = ""): Map<string, TorchTensorRef> {
    const at = select ? lookup(this.root, select) : this.root;
    if (at === undefined) {
      throw new TorchCheckpointError(
        "not-a-checkpoint",
        `${this.source.name} has no "${select}" (top-level keys: ${topKeys(this.root).join(", ") || "none"})`,
      );
    }
    return flattenTensors(at);
  }

  /** The raw bytes of a storage. */
  readStorage(storage: TorchStorageRef): Uint8Array {
    return readZipEntry(this.source, this.#entries.get(`${this.#prefix}data/${storage.key}`)!, this.#verify);
  }

  /**
   * Reads tensors to the host, each storage once (shared storages are read a single time), calling `use` for each
   * tensor as soon as its storage is in memory; a storage's bytes are dropped once its tensors are done, so peak
   * memory is about one storage plus what `use` keeps.
   */
  forEachTensor(tensors: Map<string, TorchTensorRef>, use: (name: string, t: HostTensor) => void): void {
    const byStorage = new Map<TorchStorageRef, [string, TorchTensorRef][]>();
    for (const [name, ref] of tensors) {
      const list = byStorage.get(ref.storage) ?? [];
      list.push([name, ref]);
      byStorage.set(ref.storage, list);
    }
    for (const [storage, refs] of byStorage) {
      const bytes = this.readStorage(storage);
      for (const [name, ref] of refs) {
        use(name, viewToHost(bytes, ref, `${this.source.name}: tensor "${name}"`));
      }
    }
  }

  /** Reads tensors to the host (see {@link forEachTensor}). */
  readTensors(tensors: Map<string, TorchTensorRef>): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    this.forEachTensor(tensors, (name, t) => out.set(name, t));
    // Keep the caller's order.
    return new Map([...tensors.keys()].map((k) => [k, out.get(k)!]));
  }

  /** Closes the file (nothing for in-memory bytes). */
  close(): void {
    this.source.close();
  }
}

/** The value at a dotted path (`"target_encoder"`, `"classifiers.0"`), or undefined. */
export function lookup(root: PickleValue, path: string): PickleValue | undefined {
  let at: PickleValue | undefined = root;
  for (const part of path.split(".")) {
    if (at instanceof Map) {
      at = at.has(part) ? at.get(part) : /^\d+$/.test(part) ? at.get(Number(part)) : undefined;
    } else if (Array.isArray(at) && /^\d+$/.test(part)) at = at[Number(part)];
    else return undefined;
    if (at === undefined) return undefined;
  }
  return at;
}

/** Top-level keys of a dict (for messages). */
export function topKeys(root: PickleValue): string[] {
  return root instanceof Map ? [...root.keys()].map(String) : [];
}

/** Every tensor inside a value, by dotted path (dict keys and list indices joined with "."). */
export function flattenTensors(value: PickleValue, prefix = ""): Map<string, TorchTensorRef> {
  const out = new Map<string, TorchTensorRef>();
  let containers = 0;
  const walk = (v: PickleValue, name: string, depth: number): void => {
    if (v instanceof TorchTensorRef) {
      out.set(name, v);
      return;
    }
    if (!(v instanceof Map) && !Array.isArray(v)) return;
    // The memo lets a pickle share and even nest a container in itself: bound the walk, not the pickle.
    if (depth > MAX_NESTING) {
      throw new TorchCheckpointError("corrupt", `the pickle nests containers more than ${MAX_NESTING} deep`);
    }
    if (++containers > MAX_CONTAINERS) {
      throw new TorchCheckpointError(
        "corrupt",
        `the pickle names more than ${MAX_CONTAINERS} containers (shared sub-structures repeated?)`,
      );
    }
    if (v instanceof Map) {
      for (const [k, x] of v) walk(x, name ? `${name}.${String(k)}` : String(k), depth + 1);
    } else v.forEach((x, i) => walk(x, name ? `${name}.${i}` : String(i), depth + 1));
  };
  walk(value, prefix, 0);
  return out;
}

/** Deepest container nesting a checkpoint may have (real ones nest about 6 deep). */
export const MAX_NESTING = 256;
/** Most dicts, lists and tuples a checkpoint's walk may meet (a ViT-g training checkpoint has some thousands). */
export const MAX_CONTAINERS = 1_000_000;
/**
 * Most elements a view may gather beyond its storage's own count (a zero stride repeats elements: a saved
 * `expand` is legitimate, a 2³¹ × 2³¹ one is not).
 */
export const MAX_EXPANDED_ELEMENTS = 2 ** 24;

/** Host dtype a storage type becomes. */
export function hostDType(dtype: TorchDType): "f32" | "i32" {
  return dtype === "float32" || dtype === "float16" || dtype === "bfloat16" || dtype === "float64"
    ? "f32"
    : "i32";
}

/** Elements of a storage as f32 or i32 numbers, converting 16/64-bit floats and all integer types. */
function storageValues(bytes: Uint8Array, dtype: TorchDType, where: string): Float32Array | Int32Array {
  const aligned = (n: number): Uint8Array => (bytes.byteOffset % n === 0 ? bytes : bytes.slice());
  switch (dtype) {
    case "float32": {
      const b = aligned(4);
      return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    }
    case "int32": {
      const b = aligned(4);
      return new Int32Array(b.buffer, b.byteOffset, b.length / 4);
    }
    case "float16":
      return halfBytesToFloat32(bytes);
    case "bfloat16":
      return bfloat16BytesToFloat32(bytes);
    case "float64": {
      const b = aligned(8);
      return Float32Array.from(new Float64Array(b.buffer, b.byteOffset, b.length / 8));
    }
    case "int64": {
      const b = aligned(4);
      const words = new Int32Array(b.buffer, b.byteOffset, b.length / 4);
      const out = new Int32Array(words.length / 2);
      for (let i = 0; i < out.length; i++) {
        const lo = words[2 * i];
        const hi = words[2 * i + 1];
        if (hi !== (lo < 0 ? -1 : 0)) {
          throw new TorchCheckpointError(
            "unsupported",
            `${where}: int64 value ${(BigInt(hi) << 32n) | BigInt(lo >>> 0)} does not fit in int32`,
          );
        }
        out[i] = lo;
      }
      return out;
    }
    case "uint8":
    case "bool":
      return Int32Array.from(bytes);
  }
}

/** Gathers a strided view of a storage into a contiguous host tensor. */
export function viewToHost(bytes: Uint8Array, ref: TorchTensorRef, where: string): HostTensor {
  const { shape, stride, offset } = ref;
  const size = shape.reduce((a, b) => a * b, 1);
  const dtype = hostDType(ref.storage.dtype);
  if (size === 0) return { shape, dtype, data: dtype === "f32" ? new Float32Array(0) : new Int32Array(0) };
  if (size > Math.max(ref.storage.numel, MAX_EXPANDED_ELEMENTS)) {
    throw new TorchCheckpointError(
      "corrupt",
      `${where}: view [${shape}] stride [${stride}] has ${size} elements, its storage ${ref.storage.numel}`,
    );
  }
  let last = offset;
  for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * Math.max(stride[d], 0);
  if (stride.some((s) => s < 0) || last >= ref.storage.numel) {
    throw new TorchCheckpointError(
      "corrupt",
      `${where}: view [${shape}] stride [${stride}] offset ${offset} reaches element ${last} of a ` +
        `${ref.storage.numel}-element storage`,
    );
  }
  const contiguous = stride.every((s, d) =>
    shape[d] === 1 || s === shape.slice(d + 1).reduce((a, b) => a * b, 1)
  );
  const itemBytes = TORCH_DTYPE_BYTES[ref.storage.dtype];
  if (contiguous) {
    const part = bytes.subarray(offset * itemBytes, (offset + size) * itemBytes);
    const values = storageValues(part, ref.storage.dtype, where);
    // A view straight onto the storage buffer would keep the whole storage alive: copy unless it is all of it.
    const data = values.buffer === bytes.buffer && size < ref.storage.numel ? values.slice() : values;
    return { shape, dtype, data };
  }
  const all = storageValues(bytes, ref.storage.dtype, where);
  const data = dtype === "f32" ? new Float32Array(size) : new Int32Array(size);
  const index = new Array(shape.length).fill(0);
  let src = offset;
  for (let i = 0; i < size; i++) {
    data[i] = all[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      src += stride[d];
      if (index[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return { shape, dtype, data };
}
