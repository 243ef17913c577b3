/**
 * Safetensors files: save named tensors, load them back (f32, f16 and bf16 become f32).
 *
 * The format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON mapping each name
 * to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the end of the header) plus an optional
 * `"__metadata__"` string map, then the raw little-endian data. Writing follows the reference writer: keys sorted,
 * header padded with spaces so the data starts 8-byte aligned. Reading validates everything a corrupt or truncated
 * file could get wrong before touching the GPU, and names the tensor at fault.
 */

import type { DType } from "./backends/backend.ts";
import { backend } from "./backends/registry.ts";
import { bfloat16BytesToFloat32, halfBytesToFloat32 } from "./half.ts";
import type { HostTensor } from "./pytorch/host_tensor.ts";
import { shapeSize, Tensor } from "./tensor.ts";

/** Element types this module reads. */
export type SafetensorsDType = "F32" | "F16" | "BF16" | "I32" | "U32";

const DTYPE_BYTES: Record<SafetensorsDType, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, U32: 4 };
const TO_FILE: Record<DType, SafetensorsDType> = { f32: "F32", i32: "I32", u32: "U32" };
/** Headers larger than this are rejected as corrupt (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  /** Element type in the file. */
  dtype: SafetensorsDType;
  /** Shape. */
  shape: number[];
  /** Byte range within the data section, [begin, end). */
  dataOffsets: [number, number];
}

/** A parsed, validated safetensors header. */
export interface SafetensorsHeader {
  /** Tensor entries by name, in file order of their data. */
  entries: Map<string, SafetensorsEntry>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** Names from the file are quoted in errors cut to this many printable characters. */
function quoted(name: string): string {
  const clean = name.slice(0, 64).replace(/[^\x20-\x7e]/g, "?");
  return name.length > 64 ? `${clean}…` : clean;
}

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

/**
 * Parses and validates the header of a safetensors file: JSON syntax, known dtypes, integer shapes,
 * `shape × dtype size = byte range`, offsets in bounds and the data section covered contiguously without gaps.
 */
export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds ${MAX_HEADER_BYTES} bytes (corrupt file?)`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) fail("header JSON is not an object");
  const dataStart = 8 + n;
  const dataBytes = bytes.length - dataStart;
  const entries: [string, SafetensorsEntry][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(raw);
      continue;
    }
    entries.push([name, parseEntry(name, raw, dataBytes)]);
  }
  entries.sort((a, b) =>
    a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]
  );
  let at = 0;
  for (const [name, e] of entries) {
    const [begin, end] = e.dataOffsets;
    if (begin !== at) {
      fail(
        begin < at
          ? `tensor "${name}" data [${begin}, ${end}) overlaps the previous tensor (ends at ${at})`
          : `gap in the data section: bytes [${at}, ${begin}) belong to no tensor (before "${name}")`,
      );
    }
    at = end;
  }
  if (at !== dataBytes) {
    fail(`data section is ${dataBytes} bytes but the tensors cover ${at} (truncated or trailing bytes)`);
  }
  return { entries: new Map(entries), metadata, dataStart };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(`"__metadata__" is not an object`);
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`"__metadata__" value of "${k}" is not a string`);
  }
  return { ...(raw as Record<string, string>) };
}

function parseEntry(name: string, raw: unknown, dataBytes: number): SafetensorsEntry {
  const where = `tensor "${quoted(name)}"`;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(`${where}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  // Own keys only: `in` would accept "constructor", "toString" … from Object.prototype.
  if (typeof dtype !== "string" || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    fail(
      `${where}: dtype ${JSON.stringify(String(dtype).slice(0, 32))} is not supported (expected one of ${
        Object.keys(DTYPE_BYTES)
      })`,
    );
  }
  const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`${where}: shape ${JSON.stringify(shape)} is not an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`${where}: data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin || end > dataBytes) {
    fail(`${where}: data_offsets [${begin}, ${end}] out of bounds of the ${dataBytes}-byte data section`);
  }
  const expected = shapeSize(shape) * DTYPE_BYTES[dtype as SafetensorsDType];
  if (end - begin !== expected) {
    fail(`${where}: ${dtype} [${shape}] needs ${expected} bytes but data_offsets span ${end - begin}`);
  }
  return { dtype: dtype as SafetensorsDType, shape: shape as number[], dataOffsets: [begin, end] };
}

/** Host data of one entry as 4-byte words, converted to f32 where the file holds 16-bit floats. */
function entryData(bytes: Uint8Array, start: number, e: SafetensorsEntry): Uint8Array {
  const raw = bytes.subarray(start + e.dataOffsets[0], start + e.dataOffsets[1]);
  if (DTYPE_BYTES[e.dtype] === 4) return raw;
  const out = e.dtype === "BF16" ? bfloat16BytesToFloat32(raw) : halfBytesToFloat32(raw);
  return new Uint8Array(out.buffer);
}

/**
 * Reads the tensors of a safetensors file to the host (those whose names start with `prefix`, named without it):
 * floats as f32, integers as i32 (U32 bits reinterpreted). For converters, which never need the GPU.
 */
export function readSafetensorsHost(bytes: Uint8Array, prefix = ""): Map<string, HostTensor> {
  const header = parseSafetensorsHeader(bytes);
  const out = new Map<string, HostTensor>();
  for (const [name, e] of header.entries) {
    if (!name.startsWith(prefix)) continue;
    const raw = entryData(bytes, header.dataStart, e).slice();
    const isInt = e.dtype === "I32" || e.dtype === "U32";
    out.set(name.slice(prefix.length), {
      shape: e.shape,
      dtype: isInt ? "i32" : "f32",
      data: isInt ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer),
    });
  }
  return out;
}

/**
 * Loads every tensor of a safetensors file onto the GPU: F32, F16 and BF16 as f32 tensors, I32/U32 as i32/u32.
 * Throws a clear error for a corrupt header (see {@link parseSafetensorsHeader}). The caller owns the tensors.
 */
export function loadSafetensors(bytes: Uint8Array): Map<string, Tensor> {
  const header = parseSafetensorsHeader(bytes);
  const out = new Map<string, Tensor>();
  for (const [name, e] of header.entries) {
    const dtype: DType = e.dtype === "I32" ? "i32" : e.dtype === "U32" ? "u32" : "f32";
    const t = Tensor.empty(e.shape, dtype);
    t.name = name;
    backend().upload(t.handle(), entryData(bytes, header.dataStart, e));
    out.set(name, t);
  }
  return out;
}

/** Options of {@link saveSafetensors}. */
export interface SaveSafetensorsOptions {
  /**
   * Called with each tensor's host data once it is read back, before the file is assembled; throwing here
   * aborts the save (e.g. a checkpoint writer refusing non-finite weights without a second read-back).
   */
  inspect?: (name: string, data: ArrayLike<number>) => void;
}

/** One tensor's bytes for {@link encodeSafetensors}: little-endian data of its dtype. */
export interface SafetensorsHostEntry {
  /** Element type. */
  dtype: SafetensorsDType;
  /** Shape. */
  shape: number[];
  /** Raw little-endian bytes (shape size × dtype size). */
  bytes: Uint8Array;
}

/**
 * Encodes host tensors as a safetensors file (keys sorted, header padded to 8 bytes, optional `__metadata__`):
 * the one writer of the format, used by {@link saveSafetensors} and by the checkpoint converter.
 */
export function encodeSafetensors(
  tensors: Map<string, SafetensorsHostEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const named = [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let at = 0;
  for (const [name, e] of named) {
    if (name === "__metadata__") fail(`"__metadata__" cannot name a tensor`);
    const need = shapeSize(e.shape) * DTYPE_BYTES[e.dtype];
    if (e.bytes.length !== need) {
      fail(`tensor "${name}": ${e.bytes.length} bytes for ${e.dtype} [${e.shape}]`);
    }
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [at, at + need] };
    at += need;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const file = new Uint8Array(8 + padded + at);
  new DataView(file.buffer).setBigUint64(0, BigInt(padded), true);
  file.set(json, 8);
  file.fill(0x20, 8 + json.length, 8 + padded);
  let offset = 8 + padded;
  for (const [, e] of named) {
    file.set(e.bytes, offset);
    offset += e.bytes.length;
  }
  return file;
}

/**
 * Serialises named tensors as a safetensors file (f32 as F32; i32/u32 as I32/U32), keys sorted, with an optional
 * `__metadata__` string map. All tensors are read back in one GPU round trip.
 */
export async function saveSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
  options: SaveSafetensorsOptions = {},
): Promise<Uint8Array> {
  const named = [...(tensors instanceof Map ? tensors : Object.entries(tensors))];
  for (const [name, t] of named) t.handle(`saveSafetensors ("${name}")`);
  const datas = await Promise.all(named.map(([, t]) => t.size > 0 ? t.toArray() : new Float32Array(0)));
  if (options.inspect) named.forEach(([name], i) => options.inspect!(name, datas[i]));
  const entries = new Map<string, SafetensorsHostEntry>();
  named.forEach(([name, t], i) => {
    const d = datas[i];
    entries.set(name, {
      dtype: TO_FILE[t.dtype],
      shape: [...t.shape],
      bytes: new Uint8Array(d.buffer, d.byteOffset, d.byteLength),
    });
  });
  return encodeSafetensors(entries, metadata);
}
