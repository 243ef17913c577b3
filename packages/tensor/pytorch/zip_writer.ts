/**
 * Writing uncompressed zip archives the way `torch.save` does: each entry's data starts on a 64-byte boundary
 * (padding goes in the local header's extra field), so PyTorch can memory-map the storages, and zip64 records are
 * written when the archive or an entry passes 4 GB (a ViT-L training checkpoint with optimizer state does).
 * Entries are streamed to a sink one at a time, so an archive never has to exist whole in memory.
 *
 * @module
 */

import { crc32 } from "./crc32.ts";

/** Where archive bytes go, in order. */
export type ByteSink = (chunk: Uint8Array) => void;

const ALIGNMENT = 64;
const U32_MAX = 0xffffffff;

interface Written {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

/** A stored-only zip archive written entry by entry to a sink. */
export class ZipWriter {
  readonly #sink: ByteSink;
  readonly #entries: Written[] = [];
  #at = 0;
  #done = false;

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  #emit(chunk: Uint8Array): void {
    this.#sink(chunk);
    this.#at += chunk.length;
  }

  /** Adds one entry whose data is the concatenation of `parts`. */
  add(name: string, parts: Uint8Array | Uint8Array[]): void {
    if (this.#done) throw new Error("ZipWriter: add after finish");
    const chunks = Array.isArray(parts) ? parts : [parts];
    let size = 0;
    let crc = 0;
    for (const c of chunks) {
      size += c.length;
      crc = crc32(c, crc);
    }
    const nameBytes = new TextEncoder().encode(name);
    const big = size >= U32_MAX || this.#at >= U32_MAX;
    // Local header: 30 bytes + name + extra (zip64 sizes when big, then padding to the alignment).
    const zip64Length = big ? 20 : 0;
    const unpadded = this.#at + 30 + nameBytes.length + zip64Length + 4;
    const pad = (ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT;
    const extra = new Uint8Array(zip64Length + 4 + pad);
    const ev = new DataView(extra.buffer);
    if (big) {
      ev.setUint16(0, 1, true);
      ev.setUint16(2, 16, true);
      ev.setBigUint64(4, BigInt(size), true);
      ev.setBigUint64(12, BigInt(size), true);
    }
    ev.setUint16(zip64Length, 0x4246, true); // "FB": the padding field id PyTorch uses
    ev.setUint16(zip64Length + 2, pad, true);
    const header = new Uint8Array(30 + nameBytes.length);
    const hv = new DataView(header.buffer);
    hv.setUint32(0, 0x04034b50, true);
    hv.setUint16(4, big ? 45 : 20, true);
    hv.setUint16(6, 0, true);
    hv.setUint16(8, 0, true); // stored
    hv.setUint16(10, 0, true);
    hv.setUint16(12, 0x21, true); // 1980-01-01, like PyTorch's fixed timestamp
    hv.setUint32(14, crc, true);
    hv.setUint32(18, big ? U32_MAX : size, true);
    hv.setUint32(22, big ? U32_MAX : size, true);
    hv.setUint16(26, nameBytes.length, true);
    hv.setUint16(28, extra.length, true);
    header.set(nameBytes, 30);
    const offset = this.#at;
    this.#emit(header);
    this.#emit(extra);
    for (const c of chunks) this.#emit(c);
    this.#entries.push({ name: nameBytes, crc, size, offset });
  }

  /** Writes the central directory and end records; the archive is complete afterwards. */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    const dirOffset = this.#at;
    for (const e of this.#entries) {
      const big = e.size >= U32_MAX || e.offset >= U32_MAX;
      const extraLength = big ? 28 : 0;
      const rec = new Uint8Array(46 + e.name.length + extraLength);
      const v = new DataView(rec.buffer);
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, big ? 45 : 20, true);
      v.setUint16(6, big ? 45 : 20, true);
      v.setUint16(12, 0, true);
      v.setUint16(14, 0x21, true);
      v.setUint32(16, e.crc, true);
      v.setUint32(20, big ? U32_MAX : e.size, true);
      v.setUint32(24, big ? U32_MAX : e.size, true);
      v.setUint16(28, e.name.length, true);
      v.setUint16(30, extraLength, true);
      v.setUint32(42, big ? U32_MAX : e.offset, true);
      rec.set(e.name, 46);
      if (big) {
        const x = 46 + e.name.length;
        v.setUint16(x, 1, true);
        v.setUint16(x + 2, 24, true);
        v.setBigUint64(x + 4, BigInt(e.size), true);
        v.setBigUint64(x + 12, BigInt(e.size), true);
        v.setBigUint64(x + 20, BigInt(e.offset), true);
      }
      this.#emit(rec);
    }
    const dirSize = this.#at - dirOffset;
    const count = this.#entries.length;
    const big = dirOffset >= U32_MAX || count >= 0xffff;
    if (big) {
      const z64At = this.#at;
      const z = new Uint8Array(56 + 20);
      const v = new DataView(z.buffer);
      v.setUint32(0, 0x06064b50, true);
      v.setBigUint64(4, 44n, true);
      v.setUint16(12, 45, true);
      v.setUint16(14, 45, true);
      v.setBigUint64(24, BigInt(count), true);
      v.setBigUint64(32, BigInt(count), true);
      v.setBigUint64(40, BigInt(dirSize), true);
      v.setBigUint64(48, BigInt(dirOffset), true);
      v.setUint32(56, 0x07064b50, true);
      v.setBigUint64(64, BigInt(z64At), true);
      v.setUint32(72, 1, true);
      this.#emit(z);
    }
    const end = new Uint8Array(22);
    const v = new DataView(end.buffer);
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, big ? 0xffff : count, true);
    v.setUint16(10, big ? 0xffff : count, true);
    v.setUint32(12, big ? U32_MAX : dirSize, true);
    v.setUint32(16, big ? U32_MAX : dirOffset, true);
    this.#emit(end);
  }
}
