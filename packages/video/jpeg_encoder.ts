/**
 * A fast baseline JPEG encoder (sequential DCT, Huffman, 4:4:4) for 1-component grey or 3-component YCbCr
 * frames. jpeg-js's encoder rebuilds 65k-entry tables on every call (~12 ms per 112×112 frame); this one
 * builds its tables once, writes real 1-component JPEGs for grey video, and is about ten times faster.
 *
 * The standard quantisation and Huffman tables (ITU T.81 Annex K) are taken from one probe image encoded by
 * jpeg-js at quality 50 (where IJG scaling leaves the standard tables unchanged), rather than retyped here.
 * @module
 */
import jpeg from "jpeg-js";
import { ZIGZAG } from "./jpeg_zigzag.ts";

interface HuffmanCode {
  code: Uint16Array;
  size: Uint8Array;
}

interface StandardTables {
  /** Quantisation tables in zigzag order: [luma, chroma]. */
  quant: [Uint8Array, Uint8Array];
  /** DHT segment bodies (class/id byte + 16 counts + values), as found in the probe. */
  dhtBodies: Uint8Array[];
  dcLuma: HuffmanCode;
  acLuma: HuffmanCode;
  dcChroma: HuffmanCode;
  acChroma: HuffmanCode;
}

let tables: StandardTables | undefined;

/** DCT basis: COS[u * 8 + x] = C(u)/2 · cos((2x + 1)uπ/16). */
const COS = (() => {
  const table = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    for (let x = 0; x < 8; x++) {
      table[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
    }
  }
  return table;
})();

function buildCode(counts: Uint8Array, values: Uint8Array): HuffmanCode {
  const code = new Uint16Array(256);
  const size = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < counts[length - 1]; i++) {
      code[values[k]] = next++;
      size[values[k]] = length;
      k++;
    }
    next <<= 1;
  }
  return { code, size };
}

function standardTables(): StandardTables {
  if (tables) return tables;
  const probe = jpeg.encode({ data: new Uint8Array(16 * 16 * 4), width: 16, height: 16 }, 50)
    .data as Uint8Array;
  const quant: Uint8Array[] = [];
  const dhtBodies: Uint8Array[] = [];
  const codes = new Map<number, HuffmanCode>();
  let p = 2;
  while (p + 4 <= probe.length && probe[p + 1] !== 0xda) {
    const marker = probe[p + 1];
    const length = (probe[p + 2] << 8) | probe[p + 3];
    const body = probe.subarray(p + 4, p + 2 + length);
    if (marker === 0xdb) {
      for (let q = 0; q + 65 <= body.length; q += 65) quant[body[q] & 0x0f] = body.slice(q + 1, q + 65);
    } else if (marker === 0xc4) {
      let q = 0;
      while (q + 17 <= body.length) {
        const counts = body.subarray(q + 1, q + 17);
        const total = counts.reduce((s, c) => s + c, 0);
        const tableBody = body.slice(q, q + 17 + total);
        dhtBodies.push(tableBody);
        codes.set(body[q], buildCode(tableBody.subarray(1, 17), tableBody.subarray(17)));
        q += 17 + total;
      }
    }
    p += 2 + length;
  }
  tables = {
    quant: [quant[0], quant[1]],
    dhtBodies,
    dcLuma: codes.get(0x00)!,
    acLuma: codes.get(0x10)!,
    dcChroma: codes.get(0x01)!,
    acChroma: codes.get(0x11)!,
  };
  return tables;
}

/** Scales a standard table to a quality 1–100 as libjpeg (IJG) does. */
function scaledTable(standard: Uint8Array, quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const factor = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  return standard.map((v) => Math.min(255, Math.max(1, Math.floor((v * factor + 50) / 100))));
}

class BitWriter {
  bytes: Uint8Array;
  length = 0;
  #buffer = 0;
  #bits = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  #push(byte: number): void {
    if (this.length + 2 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }
  raw(data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) this.#push(data[i]);
  }
  /** Writes `size` bits of `value`, most significant first, stuffing a zero after every 0xFF byte. */
  bits(value: number, size: number): void {
    this.#buffer = (this.#buffer << size) | (value & ((1 << size) - 1));
    this.#bits += size;
    while (this.#bits >= 8) {
      const byte = (this.#buffer >> (this.#bits - 8)) & 0xff;
      this.#push(byte);
      if (byte === 0xff) this.#push(0);
      this.#bits -= 8;
    }
    this.#buffer &= (1 << this.#bits) - 1;
  }
  /** Writes a marker after byte-aligning (restart markers). */
  marker(code: number): void {
    this.flush();
    this.raw([0xff, code]);
  }
  /** Pads the last byte with ones, as the standard asks. */
  flush(): void {
    if (this.#bits > 0) this.bits((1 << (8 - this.#bits)) - 1, 8 - this.#bits);
  }
}

function bitLength(value: number): number {
  let v = value < 0 ? -value : value;
  let n = 0;
  while (v) {
    n++;
    v >>= 1;
  }
  return n;
}

/** Encodes one 8×8 block (level-shifted samples) and returns the new DC predictor. */
function encodeBlock(
  out: BitWriter,
  block: Float64Array,
  quant: Uint8Array,
  previousDc: number,
  dc: HuffmanCode,
  ac: HuffmanCode,
  temp: Float64Array,
  coefficients: Int32Array,
): number {
  // Rows then columns of the separable DCT.
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < 8; x++) sum += COS[u * 8 + x] * block[y * 8 + x];
      temp[y * 8 + u] = sum;
    }
  }
  for (let k = 0; k < 64; k++) {
    const natural = ZIGZAG[k];
    const v = natural >> 3;
    const u = natural & 7;
    let sum = 0;
    for (let y = 0; y < 8; y++) sum += COS[v * 8 + y] * temp[y * 8 + u];
    coefficients[k] = Math.round(sum / quant[k]);
  }
  const diff = coefficients[0] - previousDc;
  const dcSize = bitLength(diff);
  out.bits(dc.code[dcSize], dc.size[dcSize]);
  if (dcSize) out.bits(diff < 0 ? diff - 1 : diff, dcSize);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = coefficients[k];
    if (value === 0) {
      run++;
      continue;
    }
    while (run >= 16) {
      out.bits(ac.code[0xf0], ac.size[0xf0]); // ZRL: sixteen zeros
      run -= 16;
    }
    const size = bitLength(value);
    const symbol = (run << 4) | size;
    out.bits(ac.code[symbol], ac.size[symbol]);
    out.bits(value < 0 ? value - 1 : value, size);
    run = 0;
  }
  if (run > 0) out.bits(ac.code[0], ac.size[0]); // EOB
  return coefficients[0];
}

/**
 * Encodes grey (`channels` 1, a 1-component JPEG) or RGB (`channels` 3, JFIF YCbCr 4:4:4) pixels as a baseline
 * JPEG at `quality` 1–100, with a restart marker every `restartInterval` MCUs when that is positive.
 */
export function encodeBaselineJpeg(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  quality = 90,
  restartInterval = 0,
): Uint8Array {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`encodeBaselineJpeg: ${pixels.length} bytes for ${width}x${height}x${channels}`);
  }
  if (!(width > 0 && height > 0 && width < 65536 && height < 65536)) {
    throw new RangeError(`encodeBaselineJpeg: invalid size ${width}x${height}`);
  }
  const t = standardTables();
  const quant = [scaledTable(t.quant[0], quality), scaledTable(t.quant[1], quality)];
  const out = new BitWriter(1024 + width * height * channels);
  out.raw([0xff, 0xd8]);
  // JFIF APP0: version 1.01, no density units, 1:1, no thumbnail.
  out.raw([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const tableCount = channels === 1 ? 1 : 2;
  out.raw([0xff, 0xdb, 0, 2 + 65 * tableCount]);
  for (let i = 0; i < tableCount; i++) {
    out.raw([i]);
    out.raw(quant[i]);
  }
  out.raw([
    0xff,
    0xc0,
    0,
    8 + 3 * channels,
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    channels,
  ]);
  for (let c = 0; c < channels; c++) out.raw([c + 1, 0x11, c === 0 ? 0 : 1]);
  const dht = t.dhtBodies.filter((body) => channels === 3 || (body[0] & 0x0f) === 0);
  out.raw([0xff, 0xc4, ...u16(2 + dht.reduce((s, b) => s + b.length, 0))]);
  for (const body of dht) out.raw(body);
  if (restartInterval > 0) out.raw([0xff, 0xdd, 0, 4, restartInterval >> 8, restartInterval & 0xff]);
  out.raw([0xff, 0xda, 0, 6 + 2 * channels, channels]);
  for (let c = 0; c < channels; c++) out.raw([c + 1, c === 0 ? 0x00 : 0x11]);
  out.raw([0, 63, 0]);

  const block = new Float64Array(64);
  const temp = new Float64Array(64);
  const coefficients = new Int32Array(64);
  const previous = [0, 0, 0];
  let mcu = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
        // Restart: byte-align, write RSTn (n cycles 0..7), reset the DC predictors.
        out.marker(0xd0 + ((mcu / restartInterval - 1) & 7));
        previous.fill(0);
      }
      mcu++;
      for (let c = 0; c < channels; c++) {
        for (let y = 0; y < 8; y++) {
          const sy = Math.min(by + y, height - 1); // replicate the edge into the padding
          for (let x = 0; x < 8; x++) {
            const sx = Math.min(bx + x, width - 1);
            const i = sy * width + sx;
            let v: number;
            if (channels === 1) v = pixels[i];
            else {
              const r = pixels[i * 3], g = pixels[i * 3 + 1], b = pixels[i * 3 + 2];
              v = c === 0
                ? 0.299 * r + 0.587 * g + 0.114 * b
                : c === 1
                ? -0.168736 * r - 0.331264 * g + 0.5 * b + 128
                : 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
            }
            block[y * 8 + x] = v - 128;
          }
        }
        previous[c] = encodeBlock(
          out,
          block,
          quant[c === 0 ? 0 : 1],
          previous[c],
          c === 0 ? t.dcLuma : t.dcChroma,
          c === 0 ? t.acLuma : t.acChroma,
          temp,
          coefficients,
        );
      }
    }
  }
  out.flush();
  out.raw([0xff, 0xd9]);
  return out.bytes.slice(0, out.length);
}

function u16(value: number): [number, number] {
  return [value >> 8, value & 0xff];
}
