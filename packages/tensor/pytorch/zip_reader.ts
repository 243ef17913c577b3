/**
 * Reading the zip archives `torch.save` writes (PyTorch ≥ 1.6), from the end: the end-of-central-directory record
 * (and its zip64 form for files past 4 GB), then the central directory, then, on demand, one entry's bytes. Nothing
 * else in the file is touched, which is what lets one module of a multi-gigabyte training checkpoint be read alone.
 *
 * PyTorch stores every entry uncompressed; a deflated entry (an archive repacked by another tool) is inflated with
 * fflate. Every entry read is checked against its CRC-32 unless the caller opts out.
 *
 * @module
 */

import { inflateSync } from "fflate";
import type { ByteSource } from "./byte_source.ts";
import { crc32 } from "./crc32.ts";
import { TorchCheckpointError } from "./errors.ts";

/** One file in a zip archive's central directory. */
export interface ZipEntry {
  /** Path inside the archive. */
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  /** Bytes in the archive. */
  compressedSize: number;
  /** Bytes once extracted. */
  size: number;
  /** CRC-32 of the extracted bytes. */
  crc32: number;
  /** Offset of the entry's local header. */
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** EOCD (22 bytes) plus the longest possible comment. */
const EOCD_SEARCH = 22 + 0xffff;

function corrupt(source: ByteSource, message: string): never {
  throw new TorchCheckpointError("corrupt", `${source.name}: ${message}`);
}

function u64(view: DataView, at: number, source: ByteSource): number {
  const v = view.getBigUint64(at, true);
  // No file this reader opens is 2⁵³ bytes: such a field is damage, not a size.
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) corrupt(source, `zip64 field ${v} is past any file size`);
  return Number(v);
}

/** Reads the central directory of a zip archive: every entry by name. */
export function readZipDirectory(source: ByteSource): Map<string, ZipEntry> {
  const tailLength = Math.min(source.size, EOCD_SEARCH);
  const tail = source.read(source.size - tailLength, tailLength);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new TorchCheckpointError(
      "truncated",
      `${source.name}: no zip end-of-directory record in the last ${tailLength} bytes (truncated download?)`,
    );
  }
  let count = tv.getUint16(eocd + 10, true);
  let dirSize = tv.getUint32(eocd + 12, true);
  let dirOffset = tv.getUint32(eocd + 16, true);
  const eocdAt = source.size - tailLength + eocd;
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    if (eocdAt < 20) corrupt(source, "zip64 fields without a zip64 locator");
    const loc = source.read(eocdAt - 20, 20);
    const lv = new DataView(loc.buffer, loc.byteOffset, 20);
    if (lv.getUint32(0, true) !== ZIP64_LOCATOR_SIGNATURE) corrupt(source, "zip64 locator missing");
    const z64At = u64(lv, 8, source);
    const z = source.read(z64At, 56);
    const zv = new DataView(z.buffer, z.byteOffset, 56);
    if (zv.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) {
      corrupt(source, "zip64 end-of-directory record missing");
    }
    count = u64(zv, 32, source);
    dirSize = u64(zv, 40, source);
    dirOffset = u64(zv, 48, source);
  }
  if (dirOffset + dirSize > eocdAt) {
    throw new TorchCheckpointError(
      "truncated",
      `${source.name}: the zip directory [${dirOffset}, ${dirOffset + dirSize}) lies past its end record ` +
        `(truncated or damaged file)`,
    );
  }
  const dir = source.read(dirOffset, dirSize);
  const dv = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > dir.length || dv.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      corrupt(source, `zip directory entry ${k} of ${count} is damaged`);
    }
    const method = dv.getUint16(at + 10, true);
    const crc = dv.getUint32(at + 16, true);
    let compressedSize = dv.getUint32(at + 20, true);
    let size = dv.getUint32(at + 24, true);
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    let localHeaderOffset = dv.getUint32(at + 42, true);
    if (at + 46 + nameLength + extraLength > dir.length) corrupt(source, `zip directory entry ${k} overruns`);
    const name = decoder.decode(dir.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extra field (id 1): the 64-bit values of whichever fields are saturated, in this order.
    let e = at + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let f = e + 4;
        if (size === 0xffffffff) (size = u64(dv, f, source)), (f += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(dv, f, source)), (f += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(dv, f, source);
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, crc32: crc, localHeaderOffset });
    at = extraEnd + commentLength;
  }
  return entries;
}

/** Offset of an entry's data: its local header's own name and extra lengths decide where the bytes start. */
export function zipEntryDataOffset(source: ByteSource, entry: ZipEntry): number {
  const h = source.read(entry.localHeaderOffset, 30);
  const hv = new DataView(h.buffer, h.byteOffset, 30);
  if (hv.getUint32(0, true) !== LOCAL_SIGNATURE) {
    corrupt(source, `zip entry "${entry.name}" has no local header at ${entry.localHeaderOffset}`);
  }
  return entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
}

/** Reads one entry's extracted bytes, checked against its CRC-32 unless `verify` is false. */
export function readZipEntry(source: ByteSource, entry: ZipEntry, verify = true): Uint8Array {
  const start = zipEntryDataOffset(source, entry);
  const raw = source.read(start, entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    // Deflate expands at most 1032:1; a larger claimed size is damage and must not size an allocation.
    if (entry.size > raw.length * 1032 + 1024) {
      corrupt(source, `zip entry "${entry.name}" claims ${entry.size} bytes from ${raw.length} deflated`);
    }
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      corrupt(source, `zip entry "${entry.name}" does not inflate (${(e as Error).message})`);
    }
  } else {
    throw new TorchCheckpointError(
      "unsupported",
      `${source.name}: zip entry "${entry.name}" uses compression method ${entry.method}`,
    );
  }
  if (data.length !== entry.size) {
    corrupt(source, `zip entry "${entry.name}" is ${data.length} bytes, its directory says ${entry.size}`);
  }
  if (verify && crc32(data) !== entry.crc32) {
    corrupt(source, `zip entry "${entry.name}" fails its CRC-32 check (damaged file)`);
  }
  return data;
}
