/**
 * Weights files of either format, told apart by their content (never by file name): safetensors, or PyTorch's
 * `torch.save` zip archive (see ./pytorch). One listing and one loader for both, so every tool that reads weights
 * reads both.
 *
 * For a PyTorch checkpoint the nested dicts and lists are flattened to dotted names (`target_encoder.module.
 * backbone.blocks.0.attn.qkv.weight`, `classifiers.0.module.pooler.query_tokens`), the names a safetensors
 * conversion of the same file has; with `prefix` only the tensors under it are read from disk.
 *
 * @module
 */

import { tensor } from "./creation.ts";
import { TorchCheckpoint } from "./pytorch/torch_load.ts";
import type { PickleValue } from "./pytorch/pickle_reader.ts";
import { SNIFF_BYTES, sniffWeightsFile, unreadableFileError } from "./pytorch/sniff.ts";
import { loadSafetensors, parseSafetensorsHeader } from "./safetensors.ts";
import type { Tensor } from "./tensor.ts";

/** A weights file: its bytes, or a path (PyTorch files are then read piecewise). */
export type WeightsInput = Uint8Array | string;

/** The two formats read. */
export type WeightsFormat = "safetensors" | "pytorch";

/** One tensor of a weights file, without its data. */
export interface WeightsEntry {
  /** Dotted name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Element type as the file stores it (`F32`, `BF16` … for safetensors; `float32`, `int64` … for PyTorch). */
  dtype: string;
}

/** What a weights file holds. */
export interface WeightsListing {
  /** Its format. */
  format: WeightsFormat;
  /** Every tensor, in file order. */
  entries: WeightsEntry[];
  /** safetensors `__metadata__` (empty for PyTorch files). */
  metadata: Record<string, string>;
  /** A PyTorch file's unpickled structure (tensors as references), or null for safetensors. */
  root: PickleValue | null;
}

function headOf(input: WeightsInput): { head: Uint8Array; size: number; name: string } {
  if (typeof input !== "string") {
    return { head: input.subarray(0, SNIFF_BYTES), size: input.length, name: "weights" };
  }
  const file = Deno.openSync(input, { read: true });
  try {
    const size = file.statSync().size;
    const head = new Uint8Array(Math.min(SNIFF_BYTES, size));
    let at = 0;
    while (at < head.length) {
      const n = file.readSync(head.subarray(at));
      if (!n) break;
      at += n;
    }
    return { head: head.subarray(0, at), size, name: input };
  } finally {
    file.close();
  }
}

/** Which format a weights file is in; throws a clear error (what it is, how to convert) for anything else. */
export function detectWeightsFormat(input: WeightsInput): WeightsFormat {
  const { head, size, name } = headOf(input);
  const kind = sniffWeightsFile(head, size);
  if (kind === "pytorch-zip") return "pytorch";
  if (kind === "safetensors") return "safetensors";
  throw unreadableFileError(kind, name);
}

const bytesOf = (
  input: WeightsInput,
): Uint8Array => (typeof input === "string" ? Deno.readFileSync(input) : input);

/** Lists a weights file's tensors (names, shapes, dtypes) without reading their data. */
export function listWeights(input: WeightsInput): WeightsListing {
  if (detectWeightsFormat(input) === "safetensors") {
    const header = parseSafetensorsHeader(bytesOf(input));
    return {
      format: "safetensors",
      entries: [...header.entries].map(([name, e]) => ({ name, shape: e.shape, dtype: e.dtype })),
      metadata: header.metadata,
      root: null,
    };
  }
  const ckpt = TorchCheckpoint.open(input);
  try {
    const entries = [...ckpt.tensors()].map(([name, r]) => ({
      name,
      shape: r.shape,
      dtype: r.storage.dtype,
    }));
    return { format: "pytorch", entries, metadata: {}, root: ckpt.root };
  } finally {
    ckpt.close();
  }
}

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /** Only tensors whose name starts with this are loaded, named without it (e.g. `"target_encoder."`). */
  prefix?: string;
}

/**
 * Loads the tensors of a weights file onto the GPU (floating types as f32, integer types as i32), by name. With
 * `prefix`, a PyTorch file's other storages are never read. The caller owns the tensors.
 */
export function loadWeights(
  input: WeightsInput,
  { prefix = "" }: LoadWeightsOptions = {},
): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  if (detectWeightsFormat(input) === "safetensors") {
    for (const [name, t] of loadSafetensors(bytesOf(input))) {
      if (name.startsWith(prefix)) out.set(name.slice(prefix.length), t);
      else t.dispose();
    }
    return out;
  }
  const ckpt = TorchCheckpoint.open(input);
  try {
    const wanted = new Map([...ckpt.tensors()].filter(([name]) => name.startsWith(prefix)));
    const order = [...wanted.keys()];
    ckpt.forEachTensor(wanted, (name, host) => {
      const t = tensor(host.data, host.shape, host.dtype);
      t.name = name;
      out.set(name.slice(prefix.length), t);
    });
    return new Map(order.map((n) => [n.slice(prefix.length), out.get(n.slice(prefix.length))!]));
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  } finally {
    ckpt.close();
  }
}
