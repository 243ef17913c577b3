/**
 * A fast decoder for the JPEGs that video containers carry: baseline/extended sequential, 8-bit, Huffman,
 * interleaved scans, any sampling factors, restart intervals. It decodes with table-driven Huffman lookups and a
 * separable IDCT that skips empty rows, and when grey output is asked of a colour stream it never transforms the
 * chroma blocks. Anything else (progressive, 12-bit, lossless, non-interleaved scans) reports
 * {@link UnsupportedJpegError}, and callers fall back to jpeg-js.
 * @module
 */

import { ZIGZAG } from "./jpeg_zigzag.ts";
import { EchoJepaError } from "@echojepa/core";

/** This decoder cannot handle the stream (but another decoder may). */
export class UnsupportedJpegError extends EchoJepaError {
  /** Creates the error with a reason. */
  constructor(reason: string) {
    super(reason);
    this.name = "UnsupportedJpegError";
  }
}

/** AAN IDCT scale factors: 1 for frequency 0, √2·cos(kπ/16) otherwise (folded into the dequantisation). */
const AAN_SCALE = Array.from(
  { length: 8 },
  (_, k) => (k === 0 ? 1 : Math.SQRT2 * Math.cos((k * Math.PI) / 16)),
);

/**
 * One 8-point pass of the Arai–Agui–Nakajima scaled IDCT (as in libjpeg's float IDCT), reading `input` at
 * `inAt + i·inStep` and writing `output` at `outAt + i·outStep`. Inputs carry the AAN scales and the 1/8.
 */
function idctPass(
  input: Float32Array,
  inAt: number,
  inStep: number,
  output: Float32Array,
  outAt: number,
  outStep: number,
): void {
  // Even part.
  let t0 = input[inAt];
  let t1 = input[inAt + 2 * inStep];
  let t2 = input[inAt + 4 * inStep];
  let t3 = input[inAt + 6 * inStep];
  let t10 = t0 + t2;
  let t11 = t0 - t2;
  const t13 = t1 + t3;
  let t12 = (t1 - t3) * 1.414213562 - t13;
  t0 = t10 + t13;
  t3 = t10 - t13;
  t1 = t11 + t12;
  t2 = t11 - t12;
  // Odd part.
  const i1 = input[inAt + inStep];
  const i3 = input[inAt + 3 * inStep];
  const i5 = input[inAt + 5 * inStep];
  const i7 = input[inAt + 7 * inStep];
  const z13 = i5 + i3;
  const z10 = i5 - i3;
  const z11 = i1 + i7;
  const z12 = i1 - i7;
  const t7 = z11 + z13;
  t11 = (z11 - z13) * 1.414213562;
  const z5 = (z10 + z12) * 1.847759065;
  t10 = 1.0823922 * z12 - z5;
  t12 = -2.61312593 * z10 + z5;
  const t6 = t12 - t7;
  const t5 = t11 - t6;
  const t4 = t10 + t5;
  output[outAt] = t0 + t7;
  output[outAt + 7 * outStep] = t0 - t7;
  output[outAt + outStep] = t1 + t6;
  output[outAt + 6 * outStep] = t1 - t6;
  output[outAt + 2 * outStep] = t2 + t5;
  output[outAt + 5 * outStep] = t2 - t5;
  output[outAt + 4 * outStep] = t3 + t4;
  output[outAt + 3 * outStep] = t3 - t4;
}

const LOOKUP_BITS = 9;

interface HuffmanTable {
  /** (length << 8) | symbol for every 9-bit prefix whose code is ≤ 9 bits; 0 when longer. */
  lookup: Uint16Array;
  /** Largest code of each length (−1 when none), for codes longer than 9 bits. */
  maxCode: Int32Array;
  /** Index into `values` of the first code of each length, minus that code. */
  offset: Int32Array;
  values: Uint8Array;
}

function buildTable(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    offset[length] = k - code;
    for (let i = 0; i < counts[length - 1]; i++, k++, code++) {
      if (length <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - length;
        for (let fill = code << shift; fill < (code + 1) << shift; fill++) {
          lookup[fill] = (length << 8) | values[k];
        }
      }
    }
    maxCode[length] = counts[length - 1] ? code - 1 : -1;
    code <<= 1;
  }
  return { lookup, maxCode, offset, values };
}

interface Component {
  id: number;
  h: number;
  v: number;
  quant: number;
  dcTable: number;
  acTable: number;
  /** Plane of decoded samples, MCU-aligned. */
  plane: Uint8Array;
  planeWidth: number;
  predictor: number;
}

/** Result of {@link decodeJpegFast}. */
export interface FastJpegImage {
  /** Pixels, `height*width*channels` bytes. */
  pixels: Uint8Array;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/**
 * Decodes a baseline JPEG to grey (`channels` 1: the luma or only component) or RGB (`channels` 3).
 * `colorTransform` false treats 3-component streams as RGB already (Adobe transform 0, DICOM RGB).
 */
export function decodeJpegFast(
  data: Uint8Array,
  channels: 1 | 3,
  colorTransform: boolean | undefined,
): FastJpegImage {
  const quant: Uint16Array[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  let components: Component[] = [];
  let width = 0;
  let height = 0;
  let restartInterval = 0;
  let adobeTransform: number | undefined;
  let p = 2;
  if (data[0] !== 0xff || data[1] !== 0xd8) throw new Error("not a JPEG stream (no SOI marker)");
  for (;;) {
    if (p + 4 > data.length) throw new RangeError("JPEG ends before its scan");
    if (data[p] !== 0xff) throw new Error(`JPEG marker expected at byte ${p}`);
    const marker = data[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const length = (data[p + 2] << 8) | data[p + 3];
    const body = p + 4;
    const end = p + 2 + length;
    if (length < 2 || end > data.length) throw new RangeError("JPEG segment runs past the end");
    if (marker === 0xdb) {
      for (let q = body; q < end;) {
        const precision = data[q] >> 4;
        const id = data[q] & 15;
        const table = new Uint16Array(64);
        for (let k = 0; k < 64; k++) {
          table[k] = precision ? (data[q + 1 + 2 * k] << 8) | data[q + 2 + 2 * k] : data[q + 1 + k];
        }
        quant[id] = table;
        q += 1 + 64 * (precision ? 2 : 1);
      }
    } else if (marker === 0xc4) {
      for (let q = body; q < end;) {
        const tableClass = data[q] >> 4;
        const id = data[q] & 15;
        const counts = data.subarray(q + 1, q + 17);
        let total = 0;
        for (const c of counts) total += c;
        const table = buildTable(counts, data.subarray(q + 17, q + 17 + total));
        if (tableClass === 0) dcTables[id] = table;
        else acTables[id] = table;
        q += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      if (data[body] !== 8) throw new UnsupportedJpegError(`${data[body]}-bit JPEG`);
      height = (data[body + 1] << 8) | data[body + 2];
      width = (data[body + 3] << 8) | data[body + 4];
      const count = data[body + 5];
      components = [];
      for (let c = 0; c < count; c++) {
        const at = body + 6 + c * 3;
        components.push({
          id: data[at],
          h: data[at + 1] >> 4,
          v: data[at + 1] & 15,
          quant: data[at + 2],
          dcTable: 0,
          acTable: 0,
          plane: new Uint8Array(0),
          planeWidth: 0,
          predictor: 0,
        });
      }
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new UnsupportedJpegError(`JPEG process with SOF marker 0x${marker.toString(16)}`);
    } else if (marker === 0xdd) {
      restartInterval = (data[body] << 8) | data[body + 1];
    } else if (marker === 0xee && length >= 14 && data[body] === 0x41 && data[body + 1] === 0x64) {
      adobeTransform = data[body + 11];
    } else if (marker === 0xda) {
      const count = data[body];
      if (count !== components.length) throw new UnsupportedJpegError("non-interleaved scans");
      for (let c = 0; c < count; c++) {
        const component = components.find((x) => x.id === data[body + 1 + c * 2]);
        if (!component) throw new Error("JPEG scan names an unknown component");
        component.dcTable = data[body + 2 + c * 2] >> 4;
        component.acTable = data[body + 2 + c * 2] & 15;
      }
      p = end;
      break;
    } else if (marker === 0xd9) {
      throw new RangeError("JPEG ends before its scan");
    }
    p = end;
  }
  if (!(width > 0 && height > 0) || components.length === 0) {
    throw new Error("JPEG has no usable frame header");
  }
  if (components.length !== 1 && components.length !== 3) {
    throw new UnsupportedJpegError(`${components.length}-component JPEG`);
  }
  for (const c of components) {
    if (!quant[c.quant] || !dcTables[c.dcTable] || !acTables[c.acTable]) {
      throw new UnsupportedJpegError("missing tables");
    }
    if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4) throw new Error("JPEG sampling factor out of range");
  }
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  const mcuCols = Math.ceil(width / (8 * maxH));
  const mcuRows = Math.ceil(height / (8 * maxV));
  if (mcuCols * mcuRows * 64 * maxH * maxV > 1 << 28) throw new Error(`JPEG ${width}x${height} is too large`);
  // Grey output of a colour stream needs only the luma plane: chroma blocks are entropy-decoded and dropped.
  const lumaOnly = channels === 1;
  for (const [i, c] of components.entries()) {
    c.planeWidth = mcuCols * c.h * 8;
    if (!lumaOnly || i === 0) c.plane = new Uint8Array(c.planeWidth * mcuRows * c.v * 8);
  }

  // Entropy-coded data: a bit buffer that drops stuffed zero bytes and stops (feeding zeros) at markers.
  let position = p;
  let bits = 0;
  let bitCount = 0;
  const fill = (): void => {
    while (bitCount <= 23) {
      let byte = 0;
      if (position < data.length) {
        byte = data[position];
        if (byte === 0xff) {
          const next = data[position + 1];
          if (next === 0) position += 2;
          else if (next === 0xff) position++; // fill byte
          else byte = 0; // a marker: leave it for the restart logic, feed zeros
        } else position++;
      }
      bits = ((bits << 8) | byte) & 0x7fffffff;
      bitCount += 8;
    }
  };
  const take = (n: number): number => {
    if (bitCount < n) fill();
    bitCount -= n;
    return (bits >>> bitCount) & ((1 << n) - 1);
  };
  const decodeSymbol = (table: HuffmanTable): number => {
    if (bitCount < 16) fill();
    const peek = (bits >>> (bitCount - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1);
    const hit = table.lookup[peek];
    if (hit) {
      bitCount -= hit >> 8;
      return hit & 0xff;
    }
    let code = take(LOOKUP_BITS);
    for (let length = LOOKUP_BITS + 1; length <= 16; length++) {
      code = (code << 1) | take(1);
      if (code <= table.maxCode[length]) return table.values[table.offset[length] + code];
    }
    throw new Error("bad Huffman code in JPEG data");
  };
  const extend = (value: number, size: number): number =>
    value < 1 << (size - 1) ? value - (1 << size) + 1 : value;

  // Dequantisation tables with the AAN scales and the IDCT's 1/8 folded in, indexed by zigzag position.
  const scaled = quant.map((table) =>
    table &&
    Float32Array.from(table, (q, k) => (q * AAN_SCALE[ZIGZAG[k] >> 3] * AAN_SCALE[ZIGZAG[k] & 7]) / 8)
  );
  const coefficients = new Float32Array(64);
  const columns = new Float32Array(64);
  const samples = new Float32Array(64);
  const decodeBlock = (c: Component, blockX: number, blockY: number, keep: boolean): void => {
    const dcSize = decodeSymbol(dcTables[c.dcTable]);
    if (dcSize > 11) throw new Error("bad DC size in JPEG data");
    c.predictor += dcSize ? extend(take(dcSize), dcSize) : 0;
    const ac = acTables[c.acTable];
    if (!keep) {
      for (let k = 1; k < 64;) {
        const rs = decodeSymbol(ac);
        const size = rs & 15;
        if (size === 0) {
          if (rs !== 0xf0) break;
          k += 16;
          continue;
        }
        k += (rs >> 4) + 1;
        take(size);
      }
      return;
    }
    const q = scaled[c.quant];
    coefficients.fill(0);
    coefficients[0] = c.predictor * q[0];
    let nonzeroAc = false;
    for (let k = 1; k < 64;) {
      const rs = decodeSymbol(ac);
      const size = rs & 15;
      if (size === 0) {
        if (rs !== 0xf0) break;
        k += 16;
        continue;
      }
      k += rs >> 4;
      if (k > 63) throw new Error("JPEG coefficient index past 63");
      coefficients[ZIGZAG[k]] = extend(take(size), size) * q[k];
      nonzeroAc = true;
      k++;
    }
    const plane = c.plane;
    const stride = c.planeWidth;
    const origin = blockY * 8 * stride + blockX * 8;
    if (!nonzeroAc) {
      // A flat block (common in echo's dark background): every sample is the DC value.
      const v = coefficients[0] + 128.5;
      const value = v < 0 ? 0 : v > 255 ? 255 : v;
      for (let y = 0; y < 8; y++) plane.fill(value, origin + y * stride, origin + y * stride + 8);
      return;
    }
    for (let x = 0; x < 8; x++) idctPass(coefficients, x, 8, columns, x, 8);
    for (let y = 0; y < 8; y++) idctPass(columns, y * 8, 1, samples, y * 8, 1);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const v = samples[y * 8 + x] + 128.5;
        plane[origin + y * stride + x] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  };

  const totalMcus = mcuCols * mcuRows;
  for (let mcu = 0; mcu < totalMcus; mcu++) {
    if (restartInterval && mcu > 0 && mcu % restartInterval === 0) {
      // Byte-align, then expect RSTn: drop the buffered bits and find the marker.
      bitCount = 0;
      bits = 0;
      while (
        position + 1 < data.length && !(data[position] === 0xff && data[position + 1] >= 0xd0 &&
          data[position + 1] <= 0xd7)
      ) position++;
      position += 2;
      for (const c of components) c.predictor = 0;
    }
    const mcuX = mcu % mcuCols;
    const mcuY = (mcu - mcuX) / mcuCols;
    for (const [i, c] of components.entries()) {
      const keep = !lumaOnly || i === 0;
      for (let by = 0; by < c.v; by++) {
        for (let bx = 0; bx < c.h; bx++) decodeBlock(c, mcuX * c.h + bx, mcuY * c.v + by, keep);
      }
    }
    if (position > data.length + 4) throw new RangeError("JPEG data ends early");
  }

  const count = width * height;
  const out = new Uint8Array(count * channels);
  const luma = components[0];
  if (channels === 1) {
    // Luma at full resolution unless the stream subsamples it (then nearest neighbour, like jpeg-js).
    const sx = luma.h / maxH;
    const sy = luma.v / maxV;
    if (sx === 1 && sy === 1) {
      for (let y = 0; y < height; y++) {
        out.set(luma.plane.subarray(y * luma.planeWidth, y * luma.planeWidth + width), y * width);
      }
      return { pixels: out, width, height };
    }
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y * sy) * luma.planeWidth;
      for (let x = 0; x < width; x++) out[y * width + x] = luma.plane[row + Math.floor(x * sx)];
    }
    return { pixels: out, width, height };
  }
  if (components.length === 1) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = luma.plane[y * luma.planeWidth + x];
        const o = (y * width + x) * 3;
        out[o] = out[o + 1] = out[o + 2] = v;
      }
    }
    return { pixels: out, width, height };
  }
  const transform = colorTransform ?? adobeTransform !== 0;
  const [c0, c1, c2] = components;
  for (let y = 0; y < height; y++) {
    const r0 = Math.floor((y * c0.v) / maxV) * c0.planeWidth;
    const r1 = Math.floor((y * c1.v) / maxV) * c1.planeWidth;
    const r2 = Math.floor((y * c2.v) / maxV) * c2.planeWidth;
    for (let x = 0; x < width; x++) {
      const a = c0.plane[r0 + Math.floor((x * c0.h) / maxH)];
      const b = c1.plane[r1 + Math.floor((x * c1.h) / maxH)];
      const c = c2.plane[r2 + Math.floor((x * c2.h) / maxH)];
      const o = (y * width + x) * 3;
      if (!transform) {
        out[o] = a;
        out[o + 1] = b;
        out[o + 2] = c;
      } else {
        const r = a + 1.402 * (c - 128);
        const g = a - 0.344136 * (b - 128) - 0.714136 * (c - 128);
        const bl = a + 1.772 * (b - 128);
        out[o] = r < 0 ? 0 : r > 255 ? 255 : r + 0.5;
        out[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g + 0.5;
        out[o + 2] = bl < 0 ? 0 : bl > 255 ? 255 : bl + 0.5;
      }
    }
  }
  return { pixels: out, width, height };
}
