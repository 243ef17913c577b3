/**
 * Small little-endian byte writer and FourCC helpers shared by the container writers and readers.
 * @module
 */

/** Growable little-endian byte buffer. */
export class ByteWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  /** Creates an empty writer with an initial capacity in bytes. */
  constructor(initialCapacity = 1 << 16) {
    this.#buffer = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #ensure(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** Appends raw bytes. */
  bytes(data: Uint8Array): this {
    this.#ensure(data.length);
    this.#buffer.set(data, this.#length);
    this.#length += data.length;
    return this;
  }

  /** Appends an ASCII string, byte per character. */
  ascii(text: string): this {
    this.#ensure(text.length);
    for (let i = 0; i < text.length; i++) this.#buffer[this.#length++] = text.charCodeAt(i) & 0xff;
    return this;
  }

  /** Appends an unsigned 8-bit value. */
  u8(value: number): this {
    this.#ensure(1);
    this.#buffer[this.#length++] = value & 0xff;
    return this;
  }

  /** Appends an unsigned 16-bit value. */
  u16(value: number, littleEndian = true): this {
    this.#ensure(2);
    this.#view.setUint16(this.#length, value, littleEndian);
    this.#length += 2;
    return this;
  }

  /** Appends a signed 16-bit value. */
  i16(value: number, littleEndian = true): this {
    this.#ensure(2);
    this.#view.setInt16(this.#length, value, littleEndian);
    this.#length += 2;
    return this;
  }

  /** Appends an unsigned 32-bit value. */
  u32(value: number, littleEndian = true): this {
    this.#ensure(4);
    this.#view.setUint32(this.#length, value >>> 0, littleEndian);
    this.#length += 4;
    return this;
  }

  /** Appends a signed 32-bit value. */
  i32(value: number, littleEndian = true): this {
    this.#ensure(4);
    this.#view.setInt32(this.#length, value, littleEndian);
    this.#length += 4;
    return this;
  }

  /** Appends a 64-bit float. */
  f64(value: number, littleEndian = true): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#length, value, littleEndian);
    this.#length += 8;
    return this;
  }

  /** Overwrites an unsigned 32-bit value at an earlier offset (for sizes known only later). */
  patchU32(offset: number, value: number, littleEndian = true): this {
    this.#view.setUint32(offset, value >>> 0, littleEndian);
    return this;
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/** Reads four ASCII characters at `offset`. */
export function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}
