/**
 * Inputs of the reliability fuzzing (`deno task fuzz`): structural mutations of valid DICOM, AVI, MP4 and
 * safetensors files (dimension, frame-count, rate and table-size fields set to 0, −1, 2¹⁶−1, 2³¹, 2³²−1; weights
 * metadata with absurd configurations; dtype names from Object.prototype) and random bit flips / truncations.
 * Every input is a pure function of (seed, index), so a failing input can be replayed.
 *
 * @module
 */

import { writeAvi, writeDicom } from "@echojepa/video";
import { Random } from "@echojepa/core";
import { createFile } from "npm:mp4box@^2.4.1";

/** One fuzz input. */
export interface FuzzInput {
  /** "video" inputs go to openVideo; "weights" inputs to the weights loader. */
  target: "video" | "weights";
  /** What was done to which fixture. */
  what: string;
  /** The bytes. */
  bytes: Uint8Array;
}

/** The structural values every numeric field is set to. */
export const STRUCTURAL_VALUES: readonly number[] = [0, -1, 2 ** 16 - 1, 2 ** 31, 2 ** 32 - 1];

function synthetic(count: number, w: number, h: number, c: number): Uint8Array[] {
  return Array.from(
    { length: count },
    (_, t) => new Uint8Array(w * h * c).map((_, i) => (i * 5 + t * 17) % 256),
  );
}

function tinyMp4(): Uint8Array {
  const iso = createFile();
  const avcC = new Uint8Array([
    1,
    66,
    0,
    30,
    0xff,
    0xe1,
    0,
    4,
    0x67,
    66,
    0,
    30,
    1,
    0,
    4,
    0x68,
    0xce,
    0x3c,
    0x80,
  ]);
  const track = iso.addTrack({
    type: "avc1",
    width: 64,
    height: 48,
    timescale: 30000,
    avcDecoderConfigRecord: avcC.buffer,
  });
  for (let i = 0; i < 6; i++) {
    iso.addSample(track, new Uint8Array([0, 0, 0, 2, 0x65, i]), { duration: 1000, is_sync: i === 0 });
  }
  const stream = iso.getBuffer();
  return new Uint8Array(stream.buffer.slice(0, stream.byteLength));
}

/** The valid files every mutation starts from. */
export function fixtures(): { name: string; bytes: Uint8Array }[] {
  const grey = synthetic(3, 32, 24, 1);
  const rgb = synthetic(3, 32, 24, 3);
  const base = { width: 32, height: 24, fps: 30 };
  return [
    { name: "dicom-native", bytes: writeDicom(grey, { ...base, channels: 1 }) },
    { name: "dicom-rle", bytes: writeDicom(rgb, { ...base, channels: 3, transferSyntax: "rle" }) },
    { name: "dicom-jpeg", bytes: writeDicom(rgb, { ...base, channels: 3, transferSyntax: "jpeg-baseline" }) },
    {
      name: "dicom-jpegls",
      bytes: writeDicom(grey, { ...base, channels: 1, transferSyntax: "jpeg-lossless" }),
    },
    { name: "avi-mjpeg", bytes: writeAvi(grey, { ...base, channels: 1 }) },
    { name: "avi-dib", bytes: writeAvi(rgb, { ...base, channels: 3, codec: "DIB" }) },
    { name: "mp4", bytes: tinyMp4() },
  ];
}

/** A numeric field of a file: where it is, how wide, which byte order. */
interface Field {
  name: string;
  offset: number;
  bytes: 2 | 4;
  littleEndian: boolean;
}

function findAll(bytes: Uint8Array, pattern: number[]): number[] {
  const out: number[] = [];
  outer: for (let i = 0; i + pattern.length <= bytes.length; i++) {
    for (let k = 0; k < pattern.length; k++) if (bytes[i + k] !== pattern[k]) continue outer;
    out.push(i);
  }
  return out;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** The dimension, count, rate and table-size fields of a fixture. */
function numericFields(name: string, bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (name.startsWith("dicom")) {
    // Explicit VR little endian: tag (group, element), "US", length 2, value.
    for (
      const [label, el] of [["Rows", 0x10], ["Columns", 0x11], ["SamplesPerPixel", 0x02], [
        "BitsAllocated",
        0x100,
      ]] as const
    ) {
      for (const at of findAll(bytes, [0x28, 0x00, el & 0xff, el >> 8, 0x55, 0x53])) {
        fields.push({ name: label, offset: at + 8, bytes: 2, littleEndian: true });
      }
    }
    // Encapsulated items (FFFE,E000): their 32-bit lengths (the Basic Offset Table and fragment sizes).
    for (const at of findAll(bytes, [0xfe, 0xff, 0x00, 0xe0]).slice(0, 3)) {
      fields.push({ name: "item length", offset: at + 4, bytes: 4, littleEndian: true });
    }
  } else if (name.startsWith("avi")) {
    for (const at of findAll(bytes, ascii("avih"))) {
      for (
        const [label, off] of [["dwMicroSecPerFrame", 0], ["dwTotalFrames", 16], ["dwWidth", 32], [
          "dwHeight",
          36,
        ]] as const
      ) {
        fields.push({ name: `avih ${label}`, offset: at + 8 + off, bytes: 4, littleEndian: true });
      }
    }
    for (const at of findAll(bytes, ascii("strh"))) {
      fields.push({ name: "strh dwScale", offset: at + 8 + 20, bytes: 4, littleEndian: true });
      fields.push({ name: "strh dwRate", offset: at + 8 + 24, bytes: 4, littleEndian: true });
      fields.push({ name: "strh dwLength", offset: at + 8 + 32, bytes: 4, littleEndian: true });
    }
    for (const at of findAll(bytes, ascii("strf"))) {
      fields.push({ name: "strf biWidth", offset: at + 8 + 4, bytes: 4, littleEndian: true });
      fields.push({ name: "strf biHeight", offset: at + 8 + 8, bytes: 4, littleEndian: true });
      fields.push({ name: "strf biClrUsed", offset: at + 8 + 32, bytes: 4, littleEndian: true });
    }
    const movi = findAll(bytes, ascii("movi"))[0];
    if (movi !== undefined) {
      fields.push({ name: "first movi chunk size", offset: movi + 8, bytes: 4, littleEndian: true });
    }
  } else {
    const box = (type: string): number[] => findAll(bytes, ascii(type)).map((at) => at + 4); // body start
    for (const b of box("stsz")) {
      fields.push({ name: "stsz sample_size", offset: b + 4, bytes: 4, littleEndian: false });
      fields.push({ name: "stsz sample_count", offset: b + 8, bytes: 4, littleEndian: false });
    }
    for (const t of ["stts", "stsc", "stco", "stss", "ctts"]) {
      for (const b of box(t)) {
        fields.push({ name: `${t} entry_count`, offset: b + 4, bytes: 4, littleEndian: false });
      }
    }
    for (const b of box("stts")) {
      fields.push({ name: "stts sample_count", offset: b + 8, bytes: 4, littleEndian: false });
    }
    for (const b of box("mdhd")) {
      fields.push({ name: "mdhd timescale", offset: b + 12, bytes: 4, littleEndian: false });
      fields.push({ name: "mdhd duration", offset: b + 16, bytes: 4, littleEndian: false });
    }
    for (const b of box("avc1")) {
      fields.push({ name: "avc1 width", offset: b + 24, bytes: 2, littleEndian: false });
      fields.push({ name: "avc1 height", offset: b + 26, bytes: 2, littleEndian: false });
    }
    for (const b of box("tkhd")) {
      fields.push({ name: "tkhd width", offset: b + 76, bytes: 4, littleEndian: false });
      fields.push({ name: "tkhd height", offset: b + 80, bytes: 4, littleEndian: false });
    }
  }
  return fields.filter((f) => f.offset + f.bytes <= view.byteLength);
}

/** A DICOM string element (IS/DS) rewritten with a new value: NumberOfFrames, FrameTime. */
function withDicomString(
  bytes: Uint8Array,
  group: number,
  element: number,
  text: string,
): Uint8Array | undefined {
  const at = findAll(bytes, [group & 0xff, group >> 8, element & 0xff, element >> 8])[0];
  if (at === undefined) return undefined;
  const length = bytes[at + 6] | (bytes[at + 7] << 8);
  const value = text.length % 2 ? `${text} ` : text;
  const out = new Uint8Array(bytes.length - length + value.length);
  out.set(bytes.subarray(0, at + 6));
  out[at + 6] = value.length & 0xff;
  out[at + 7] = value.length >> 8;
  out.set(ascii(value), at + 8);
  out.set(bytes.subarray(at + 8 + length), at + 8 + value.length);
  return out;
}

/** Every structural mutation of the video fixtures (deterministic; a few hundred inputs). */
export function* structuralVideoInputs(): Generator<FuzzInput> {
  for (const { name, bytes } of fixtures()) {
    for (const field of numericFields(name, bytes)) {
      for (const value of STRUCTURAL_VALUES) {
        const copy = bytes.slice();
        const view = new DataView(copy.buffer);
        if (field.bytes === 2) view.setUint16(field.offset, value & 0xffff, field.littleEndian);
        else view.setUint32(field.offset, value >>> 0, field.littleEndian);
        yield { target: "video", what: `${name}: ${field.name} = ${value}`, bytes: copy };
      }
    }
    if (name.startsWith("dicom")) {
      for (const text of ["0", "-7", "65535", "2147483648", "4294967295", "1e9", "x"]) {
        const b = withDicomString(bytes, 0x28, 0x08, text);
        if (b) yield { target: "video", what: `${name}: NumberOfFrames = ${text}`, bytes: b };
      }
      for (const text of ["0", "-1", "1e-300", "1e-9", "1e300"]) {
        const b = withDicomString(bytes, 0x18, 0x1063, text);
        if (b) yield { target: "video", what: `${name}: FrameTime = ${text}`, bytes: b };
      }
    }
  }
}

function safetensorsFile(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** The small ViT whose weights both the safetensors and the `.pt` fuzz inputs start from. */
export const TINY_VIT_CONFIG = {
  embedDim: 16,
  depth: 1,
  numHeads: 2,
  mlpHidden: 32,
  patchSize: 4,
  tubeletSize: 2,
  inChannels: 3,
} as const;

/** Weights files with absurd configurations and dtype names from Object.prototype. */
export function* structuralWeightsInputs(): Generator<FuzzInput> {
  const small = TINY_VIT_CONFIG;
  const tensors: Record<string, unknown> = {};
  let at = 0;
  const add = (name: string, shape: number[]): void => {
    const n = shape.reduce((a, b) => a * b, 1) * 4;
    tensors[name] = { dtype: "F32", shape, data_offsets: [at, at + n] };
    at += n;
  };
  add("patch_embed.proj.weight", [16, 3, 2, 4, 4]);
  add("patch_embed.proj.bias", [16]);
  for (const k of ["norm1", "norm2"]) for (const p of ["weight", "bias"]) add(`blocks.0.${k}.${p}`, [16]);
  add("blocks.0.attn.qkv.weight", [48, 16]);
  add("blocks.0.attn.qkv.bias", [48]);
  add("blocks.0.attn.proj.weight", [16, 16]);
  add("blocks.0.attn.proj.bias", [16]);
  add("blocks.0.mlp.fc1.weight", [32, 16]);
  add("blocks.0.mlp.fc1.bias", [32]);
  add("blocks.0.mlp.fc2.weight", [16, 32]);
  add("blocks.0.mlp.fc2.bias", [16]);
  add("norm.weight", [16]);
  add("norm.bias", [16]);
  const key = "echojepa.vit.config";
  const withConfig = (config: string): Uint8Array =>
    safetensorsFile({ __metadata__: { [key]: config }, ...tensors }, at);
  yield { target: "weights", what: "valid small ViT", bytes: withConfig(JSON.stringify(small)) };
  for (const field of Object.keys(small)) {
    for (const value of [...STRUCTURAL_VALUES, 1e6, 1e9, 1e300, 0.5, "7", null]) {
      yield {
        target: "weights",
        what: `config ${field} = ${value}`,
        bytes: withConfig(JSON.stringify({ ...small, [field]: value })),
      };
    }
  }
  for (const text of ["{", "[]", "null", '"x"', '{"__proto__":{"depth":1}}', "1e999"]) {
    yield { target: "weights", what: `config text ${text}`, bytes: withConfig(text) };
  }
  for (
    const dtype of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"]
  ) {
    yield {
      target: "weights",
      what: `dtype ${dtype}`,
      bytes: safetensorsFile(
        { ...tensors, "norm.bias": { dtype, shape: [16], data_offsets: [at - 64, at] } },
        at,
      ),
    };
  }
  for (const shape of [[2 ** 31], [2 ** 32 - 1, 2 ** 32 - 1], [-1], [65535, 65535, 65535]]) {
    yield {
      target: "weights",
      what: `shape ${shape}`,
      bytes: safetensorsFile({
        ...tensors,
        "norm.bias": { dtype: "F32", shape, data_offsets: [at - 64, at] },
      }, at),
    };
  }
}

/** Random mutations: truncations and 1–4 flipped bits (half in the first KiB) of a random fixture. */
export function randomInput(
  seed: number,
  index: number,
  all: { name: string; bytes: Uint8Array }[],
): FuzzInput {
  const random = Random.from(seed, index).source();
  const { name, bytes } = all[Math.floor(random() * all.length)];
  if (random() < 0.25) {
    const cut = Math.floor(random() * bytes.length);
    return {
      target: "video",
      what: `${name}: random truncation to ${cut} (seed ${seed} #${index})`,
      bytes: bytes.slice(0, cut),
    };
  }
  const copy = bytes.slice();
  const flips = 1 + Math.floor(random() * 4);
  for (let f = 0; f < flips; f++) {
    const range = random() < 0.5 ? Math.min(1024, copy.length) : copy.length;
    copy[Math.floor(random() * range)] ^= 1 << Math.floor(random() * 8);
  }
  return {
    target: "video",
    what: `${name}: ${flips} random bit flips (seed ${seed} #${index})`,
    bytes: copy,
  };
}
