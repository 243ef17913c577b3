/**
 * Writing PyTorch checkpoints that `torch.load(path, weights_only=True)` accepts: the zip layout `torch.save`
 * writes (`archive/data.pkl`, `archive/byteorder`, `archive/data/<n>`, `archive/version`) with a protocol-2 pickle
 * that uses only the globals PyTorch's weights-only unpickler allows (`collections.OrderedDict`,
 * `torch._utils._rebuild_tensor_v2` and the storage classes).
 *
 * Values: `Map` → OrderedDict (state dicts; keys strings or ints), plain objects → dict, arrays → list, frozen
 * arrays → tuple, integers → int, {@link PyFloat} or non-integral numbers → float, strings, booleans, null → None,
 * and {@link SaveTensor} → a tensor with its own storage. Tensor data may be supplied lazily, so a multi-gigabyte
 * checkpoint is written one storage at a time.
 *
 * @module
 */

import { floatToBfloat16, floatToHalf } from "../half.ts";
import { TorchCheckpointError } from "./errors.ts";
import { TORCH_STORAGE_CLASSES, type TorchDType } from "./pickle_reader.ts";
import { type ByteSink, ZipWriter } from "./zip_writer.ts";

/** Element types the writer stores floating-point tensors as. */
export type SaveFloatDType = "float32" | "float16" | "bfloat16";

/** A tensor to save: shape and row-major data (or a function that produces it when its turn comes). */
export class SaveTensor {
  /** Shape. */
  readonly shape: number[];
  /** The values, or a loader called once while writing. */
  readonly data: Float32Array | Int32Array | (() => Promise<Float32Array | Int32Array>);
  /** Storage type to write: floats default to the file's `dtype` option, i32 data to int64 (torch's int). */
  readonly dtype?: TorchDType;

  constructor(
    shape: number[],
    data: Float32Array | Int32Array | (() => Promise<Float32Array | Int32Array>),
    dtype?: TorchDType,
  ) {
    this.shape = [...shape];
    this.data = data;
    this.dtype = dtype;
  }
}

/** A number that must be written as a Python float even when it is integral (e.g. `loss: 0`). */
export class PyFloat {
  /** The value. */
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** Anything the writer can store. */
export type SaveValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | SaveTensor
  | SaveValue[]
  | Map<string | number, SaveValue>
  | { [key: string]: SaveValue };

/** Options of {@link saveTorchCheckpoint} and {@link writeTorchCheckpoint}. */
export interface TorchSaveOptions {
  /** Storage type of floating-point tensors (default float32). */
  dtype?: SaveFloatDType;
  /** The archive's root folder name (default "archive", as PyTorch ≥ 2 writes). */
  archiveName?: string;
}

class PickleBuilder {
  readonly #chunks: Uint8Array[] = [];
  #buf = new Uint8Array(1 << 16);
  #at = 0;

  byte(b: number): void {
    if (this.#at === this.#buf.length) this.#flush();
    this.#buf[this.#at++] = b;
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.byte(x);
  }
  u32(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 24) & 0xff);
  }
  #flush(): void {
    this.#chunks.push(this.#buf.slice(0, this.#at));
    this.#at = 0;
  }
  finish(): Uint8Array {
    this.#flush();
    const total = this.#chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.#chunks) (out.set(c, at), (at += c.length));
    return out;
  }
}

const encoder = new TextEncoder();

interface PendingStorage {
  key: string;
  tensor: SaveTensor;
  dtype: TorchDType;
  numel: number;
}

/** Pickles `root` (protocol 2, like torch.save), collecting the tensors' storages in order. */
function pickleCheckpoint(
  root: SaveValue,
  floatType: SaveFloatDType,
): { pickle: Uint8Array; storages: PendingStorage[] } {
  const p = new PickleBuilder();
  const storages: PendingStorage[] = [];
  const str = (s: string): void => {
    const b = encoder.encode(s);
    p.byte(0x58); // BINUNICODE
    p.u32(b.length);
    p.bytes(b);
  };
  const global = (module: string, name: string): void => {
    p.byte(0x63);
    p.bytes(encoder.encode(`${module}\n${name}\n`));
  };
  const int = (v: number | bigint): void => {
    if (typeof v === "number" && v >= 0 && v < 256) (p.byte(0x4b), p.byte(v));
    else if (typeof v === "number" && v >= 0 && v < 65536) (p.byte(0x4d), p.byte(v & 0xff), p.byte(v >> 8));
    else if (typeof v === "number" && v >= -(2 ** 31) && v < 2 ** 31) (p.byte(0x4a), p.u32(v >>> 0));
    else {
      // LONG1: little-endian two's complement, shortest form.
      let x = BigInt(v);
      const out: number[] = [];
      for (;;) {
        out.push(Number(x & 0xffn));
        x >>= 8n;
        const sign = out[out.length - 1] & 0x80;
        if ((x === 0n && !sign) || (x === -1n && sign)) break;
      }
      p.byte(0x8a);
      p.byte(out.length);
      for (const b of out) p.byte(b);
    }
  };
  const float = (v: number): void => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    p.byte(0x47);
    p.bytes(b);
  };
  const tuple = (items: SaveValue[]): void => {
    if (items.length === 0) return p.byte(0x29);
    if (items.length > 3) p.byte(0x28);
    for (const x of items) value(x);
    p.byte(items.length === 1 ? 0x85 : items.length === 2 ? 0x86 : items.length === 3 ? 0x87 : 0x74);
  };
  const items = (entries: [SaveValue, SaveValue][]): void => {
    for (let i = 0; i < entries.length; i += 1000) {
      p.byte(0x28);
      for (const [k, v] of entries.slice(i, i + 1000)) (value(k), value(v));
      p.byte(0x75); // SETITEMS
    }
  };
  const emptyOrderedDict = (): void => {
    global("collections", "OrderedDict");
    p.byte(0x29);
    p.byte(0x52);
  };
  const tensor = (t: SaveTensor): void => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const dtype: TorchDType = t.dtype ?? (t.data instanceof Int32Array ? "int64" : floatType);
    const key = String(storages.length);
    storages.push({ key, tensor: t, dtype, numel });
    global("torch._utils", "_rebuild_tensor_v2");
    p.byte(0x28);
    // The persistent id: ('storage', torch.<Class>, key, 'cpu', numel).
    p.byte(0x28);
    str("storage");
    global("torch", TORCH_STORAGE_CLASSES[dtype]);
    str(key);
    str("cpu");
    int(numel);
    p.byte(0x74);
    p.byte(0x51); // BINPERSID
    int(0); // storage offset
    tuple(t.shape);
    const strides: number[] = [];
    let stride = 1;
    for (let d = t.shape.length - 1; d >= 0; d--) (strides.unshift(stride), (stride *= t.shape[d]));
    tuple(strides);
    p.byte(0x89); // requires_grad False
    emptyOrderedDict(); // backward hooks
    p.byte(0x74);
    p.byte(0x52);
  };
  const value = (v: SaveValue): void => {
    if (v === null || v === undefined) p.byte(0x4e);
    else if (v === true) p.byte(0x88);
    else if (v === false) p.byte(0x89);
    else if (typeof v === "bigint") int(v);
    else if (typeof v === "number") Number.isInteger(v) && Number.isSafeInteger(v) ? int(v) : float(v);
    else if (v instanceof PyFloat) float(v.value);
    else if (typeof v === "string") str(v);
    else if (v instanceof SaveTensor) tensor(v);
    else if (Array.isArray(v)) {
      if (Object.isFrozen(v)) tuple(v);
      else {
        p.byte(0x5d);
        for (let i = 0; i < v.length; i += 1000) {
          p.byte(0x28);
          for (const x of v.slice(i, i + 1000)) value(x);
          p.byte(0x65); // APPENDS
        }
      }
    } else if (v instanceof Map) {
      emptyOrderedDict();
      items([...v]);
    } else if (typeof v === "object") {
      p.byte(0x7d);
      items(Object.entries(v));
    } else {
      throw new TorchCheckpointError("unsupported", `saveTorchCheckpoint: cannot store a ${typeof v}`);
    }
  };
  p.byte(0x80);
  p.byte(2);
  value(root);
  p.byte(0x2e);
  return { pickle: p.finish(), storages };
}

async function storageBytes(s: PendingStorage): Promise<Uint8Array> {
  const raw = typeof s.tensor.data === "function" ? await s.tensor.data() : s.tensor.data;
  if (raw.length !== s.numel) {
    throw new TorchCheckpointError(
      "unsupported",
      `saveTorchCheckpoint: tensor [${s.tensor.shape}] has ${raw.length} values, needs ${s.numel}`,
    );
  }
  switch (s.dtype) {
    case "float32":
      return new Uint8Array(Float32Array.from(raw).buffer);
    case "float16": {
      const out = new Uint16Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = floatToHalf(raw[i]);
      return new Uint8Array(out.buffer);
    }
    case "bfloat16": {
      const out = new Uint16Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = floatToBfloat16(raw[i]);
      return new Uint8Array(out.buffer);
    }
    case "float64":
      return new Uint8Array(Float64Array.from(raw).buffer);
    case "int32":
      return new Uint8Array(Int32Array.from(raw).buffer);
    case "int64": {
      const out = new BigInt64Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = BigInt(Math.trunc(raw[i]));
      return new Uint8Array(out.buffer);
    }
    case "uint8":
    case "bool":
      return Uint8Array.from(raw);
  }
}

async function writeArchive(sink: ByteSink, root: SaveValue, options: TorchSaveOptions): Promise<void> {
  const name = options.archiveName ?? "archive";
  const { pickle, storages } = pickleCheckpoint(root, options.dtype ?? "float32");
  const zip = new ZipWriter(sink);
  zip.add(`${name}/data.pkl`, pickle);
  zip.add(`${name}/byteorder`, encoder.encode("little"));
  for (const s of storages) {
    let bytes: Uint8Array | null = await storageBytes(s);
    zip.add(`${name}/data/${s.key}`, bytes);
    bytes = null;
  }
  zip.add(`${name}/version`, encoder.encode("3\n"));
  zip.finish();
}

/** Serialises a checkpoint to bytes in memory (small files: probes, tests). */
export async function saveTorchCheckpoint(
  root: SaveValue,
  options: TorchSaveOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await writeArchive((c) => chunks.push(c.slice()), root, options);
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.length));
  return out;
}

/** Writes a checkpoint to `path`, one storage at a time (lazy tensors are loaded only when written). */
export async function writeTorchCheckpoint(
  path: string,
  root: SaveValue,
  options: TorchSaveOptions = {},
): Promise<void> {
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    await writeArchive(
      (chunk) => {
        let at = 0;
        while (at < chunk.length) at += file.writeSync(chunk.subarray(at));
      },
      root,
      options,
    );
  } finally {
    file.close();
  }
}
