/**
 * PyTorch `.pt` inputs of the reliability fuzzing (`deno task fuzz`): a tiny ViT state dict written the way
 * `torch.save` lays it out (zip archive, protocol-2 pickle), then mutated structurally — zip end record, central
 * directory and local header fields set to 0, −1, 2¹⁶−1, 2³¹, 2³²−1; pickle opcodes that construct objects,
 * forbidden globals, storage-class names from `Object.prototype`, absurd storage keys, element counts, offsets,
 * shapes and strides, length fields past the end, deep nesting, self-containing lists and shared-subtree bombs —
 * and randomly (bit flips and truncations of the pickle with the zip CRC repaired, so they reach the unpickler,
 * and of the whole file).
 *
 * The pickle is emitted here from a description of each tensor, so a mutation changes one meaningful thing and
 * the archive around it stays valid. Every input is a pure function of (seed, index).
 *
 * @module
 */

import { Random } from "@echojepa/core";
import { ZipWriter } from "../../packages/tensor/pytorch/zip_writer.ts";
import { STRUCTURAL_VALUES, TINY_VIT_CONFIG } from "./fuzz_inputs.ts";

/** One `.pt` fuzz input (target "torch": opened, read to the host, and given to loadVit with {@link TINY_PT_CONFIG}). */
export interface TorchFuzzInput {
  /** Always "torch". */
  target: "torch";
  /** What was done. */
  what: string;
  /** The bytes. */
  bytes: Uint8Array;
}

/** The configuration the fixture's tensors fit (passed to loadVit: `.pt` files carry no metadata). */
export const TINY_PT_CONFIG = TINY_VIT_CONFIG;

/** A number the pickle holds: a JS number (int unless `float`), or a bigint past 2⁵³. */
type PyInt = number | bigint;

/** One tensor of the fixture as its pickle describes it. */
interface TensorSpec {
  name: string;
  /** Storage class under `torch.` (e.g. "FloatStorage"). */
  storageClass: string;
  /** Storage key (`data/<key>` in the archive). */
  key: string;
  /** Element count the persistent id claims. */
  numel: PyInt;
  offset: PyInt;
  shape: PyInt[];
  stride: PyInt[];
}

function fixtureSpecs(): TensorSpec[] {
  const shapes: [string, number[]][] = [
    ["patch_embed.proj.weight", [16, 3, 2, 4, 4]],
    ["patch_embed.proj.bias", [16]],
    ["blocks.0.norm1.weight", [16]],
    ["blocks.0.norm1.bias", [16]],
    ["blocks.0.attn.qkv.weight", [48, 16]],
    ["blocks.0.attn.qkv.bias", [48]],
    ["blocks.0.attn.proj.weight", [16, 16]],
    ["blocks.0.attn.proj.bias", [16]],
    ["blocks.0.norm2.weight", [16]],
    ["blocks.0.norm2.bias", [16]],
    ["blocks.0.mlp.fc1.weight", [32, 16]],
    ["blocks.0.mlp.fc1.bias", [32]],
    ["blocks.0.mlp.fc2.weight", [16, 32]],
    ["blocks.0.mlp.fc2.bias", [16]],
    ["norm.weight", [16]],
    ["norm.bias", [16]],
  ];
  return shapes.map(([name, shape], i) => ({
    name,
    storageClass: "FloatStorage",
    key: String(i),
    numel: shape.reduce((a, b) => a * b, 1),
    offset: 0,
    shape,
    stride: shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1)),
  }));
}

/** A protocol-2 pickle written opcode by opcode. */
class Pickle {
  readonly #bytes: number[] = [];
  op(...bytes: number[]): this {
    return this.ops(bytes);
  }
  /** Appends many opcodes (no spread: a million arguments would overflow the call stack). */
  ops(bytes: readonly number[]): this {
    for (const b of bytes) this.#bytes.push(b);
    return this;
  }
  u32(n: number): this {
    return this.op(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  text(s: string): this {
    for (const c of new TextEncoder().encode(s)) this.#bytes.push(c);
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.op(0x58).u32(b.length); // BINUNICODE
    for (const c of b) this.#bytes.push(c);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63).text(`${module}\n${name}\n`); // GLOBAL
  }
  int(v: PyInt): this {
    if (typeof v === "number" && !Number.isInteger(v)) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, false);
      return this.op(0x47, ...b); // BINFLOAT
    }
    const big = BigInt(v);
    if (big >= -(2n ** 31n) && big < 2n ** 31n) return this.op(0x4a).u32(Number(big) | 0); // BININT
    const out: number[] = [];
    let x = BigInt.asUintN(72, big); // two's complement, 9 bytes: room for 2⁶³ and its sign
    for (let i = 0; i < 9; i++) (out.push(Number(x & 0xffn)), (x >>= 8n));
    return this.op(0x8a, 9, ...out); // LONG1
  }
  tuple(values: PyInt[]): this {
    this.op(0x28); // MARK
    for (const v of values) this.int(v);
    return this.op(0x74); // TUPLE
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** What can be changed in the pickle around the tensors. */
interface PickleOptions {
  /** Opcodes inserted right after PROTO. */
  prefix?: number[];
  /** Extra `key: value` pickled into the dict (raw opcodes producing one value). */
  extra?: number[];
  /** Replaces `_rebuild_tensor_v2`'s module and name. */
  rebuild?: [string, string];
}

function pickleOf(specs: TensorSpec[], options: PickleOptions = {}): Uint8Array {
  const p = new Pickle().op(0x80, 2); // PROTO 2
  if (options.prefix) p.ops(options.prefix);
  p.global("collections", "OrderedDict").op(0x29, 0x52); // EMPTY_TUPLE REDUCE
  p.op(0x28); // MARK
  for (const s of specs) {
    p.str(s.name);
    p.global(...(options.rebuild ?? ["torch._utils", "_rebuild_tensor_v2"]));
    p.op(0x28); // MARK (the rebuild arguments)
    p.op(0x28).str("storage").global("torch", s.storageClass).str(s.key).str("cpu").int(s.numel);
    p.op(0x74, 0x51); // TUPLE BINPERSID
    p.int(s.offset).tuple(s.shape).tuple(s.stride).op(0x89); // requires_grad False
    p.global("collections", "OrderedDict").op(0x29, 0x52); // backward hooks
    p.op(0x74, 0x52); // TUPLE REDUCE
  }
  if (options.extra) p.str("extra").ops(options.extra);
  return p.op(0x75, 0x2e).bytes(); // SETITEMS STOP
}

/** Storage bytes of the fixture's (unmutated) element counts: small values whose bytes never spell "PK". */
function storageData(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const s of fixtureSpecs()) {
    const n = Number(s.numel);
    out.set(s.key, new Uint8Array(Float32Array.from({ length: n }, (_, i) => ((i % 7) - 3) * 0.25).buffer));
  }
  return out;
}

/** A torch.save-style archive of a pickle and storages. */
function archive(pickle: Uint8Array, storages: Map<string, Uint8Array>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new ZipWriter((c) => chunks.push(c.slice()));
  zip.add("archive/data.pkl", pickle);
  zip.add("archive/byteorder", new TextEncoder().encode("little"));
  for (const [key, bytes] of storages) zip.add(`archive/data/${key}`, bytes);
  zip.add("archive/version", new TextEncoder().encode("3\n"));
  zip.finish();
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.length));
  return out;
}

/** The valid tiny ViT state dict, as a `.pt` file. */
export function torchFixture(): Uint8Array {
  const specs = fixtureSpecs();
  return archive(pickleOf(specs), storageData());
}

function withSpec(index: number, change: Partial<TensorSpec>, options: PickleOptions = {}): Uint8Array {
  const specs = fixtureSpecs();
  specs[index] = { ...specs[index], ...change };
  return archive(pickleOf(specs, options), storageData());
}

function u32At(bytes: Uint8Array, signature: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) if (view.getUint32(i, true) === signature) out.push(i);
  return out;
}

/** The zip fields of the fixture that a reader trusts: where each is, and its width. */
function zipFields(bytes: Uint8Array): { name: string; offset: number; width: 2 | 4 }[] {
  const fields: { name: string; offset: number; width: 2 | 4 }[] = [];
  const eocd = u32At(bytes, 0x06054b50).at(-1)!;
  for (const [n, o, w] of [["entries", 10, 2], ["dir size", 12, 4], ["dir offset", 16, 4]] as const) {
    fields.push({ name: `end record ${n}`, offset: eocd + o, width: w });
  }
  const central = u32At(bytes, 0x02014b50);
  // data.pkl, the first storage, and the last entry.
  for (
    const [label, at] of [["pkl", central[0]], ["storage 0", central[2]], ["last", central.at(-1)!]] as const
  ) {
    for (
      const [n, o, w] of [
        ["method", 10, 2],
        ["compressed size", 20, 4],
        ["size", 24, 4],
        ["name length", 28, 2],
        ["extra length", 30, 2],
        ["comment length", 32, 2],
        ["local header offset", 42, 4],
      ] as const
    ) fields.push({ name: `central ${label} ${n}`, offset: at + o, width: w });
  }
  const local = u32At(bytes, 0x04034b50);
  for (const [label, at] of [["pkl", local[0]], ["storage 0", local[2]]] as const) {
    fields.push({ name: `local ${label} name length`, offset: at + 26, width: 2 });
    fields.push({ name: `local ${label} extra length`, offset: at + 28, width: 2 });
  }
  return fields;
}

/** Raw opcode sequences inserted after PROTO, by what they do. */
const HOSTILE_PREFIXES: [string, number[]][] = [
  ["NEWOBJ", [0x81]],
  ["NEWOBJ_EX", [0x92]],
  ["INST", [0x69, ...new TextEncoder().encode("os\nsystem\n")]],
  ["OBJ", [0x28, 0x6f]],
  ["EXT1", [0x82, 1]],
  ["EXT4", [0x84, 1, 0, 0, 0]],
  ["PERSID", [0x50, ...new TextEncoder().encode("0\n")]],
  ["unknown opcode 0xff", [0xff]],
  ["opcode 0x00", [0x00]],
  ["STOP on an empty stack", [0x2e]],
  ["POP on an empty stack", [0x30]],
  ["POP_MARK without MARK", [0x31]],
  ["TUPLE without MARK", [0x74]],
  ["BINGET of an unset memo", [0x68, 7]],
  ["LONG_BINGET 2³²−1", [0x6a, 0xff, 0xff, 0xff, 0xff]],
  ["LONG4 of 2³¹−1 bytes", [0x8b, 0xff, 0xff, 0xff, 0x7f]],
  ["LONG4 of −1 bytes", [0x8b, 0xff, 0xff, 0xff, 0xff]],
  ["BINUNICODE of 2³²−1 bytes", [0x58, 0xff, 0xff, 0xff, 0xff]],
  ["BINUNICODE8 of 2⁶³ bytes", [0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80]],
  ["BINBYTES of 2³²−1 bytes", [0x42, 0xff, 0xff, 0xff, 0xff]],
  ["BINBYTES8 of 2⁶⁴−1 bytes", [0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ["BINSTRING of −1 bytes", [0x54, 0xff, 0xff, 0xff, 0xff]],
  ["FRAME of 2⁶⁴−1", [0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ["INT without newline", [0x49, 0x31, 0x32]],
  ["INT text 1e999", [0x49, ...new TextEncoder().encode("1e999\n")]],
  ["LONG of 5000 digits", [0x4c, ...new TextEncoder().encode("9".repeat(5000) + "L\n")]],
  ["APPEND to a tuple", [0x29, 0x4e, 0x61, 0x30]],
  ["SETITEM on a list", [0x5d, 0x4e, 0x4e, 0x73, 0x30]],
  ["REDUCE of a non-global", [0x4e, 0x29, 0x52, 0x30]],
  ["REDUCE OrderedDict with a non-tuple", [
    0x63,
    ...new TextEncoder().encode("collections\nOrderedDict\n"),
    0x4e,
    0x52,
    0x30,
  ]],
  ["BUILD on a list", [0x5d, 0x4e, 0x62, 0x30]],
  ["STACK_GLOBAL of numbers", [0x4b, 1, 0x4b, 2, 0x93]],
  ["1 000 000 MARKs", new Array<number>(1_000_000).fill(0x28)],
];

/** Raw opcodes producing one value (the dict's "extra" entry). */
function hostileValues(): [string, number[]][] {
  const repeat = (n: number, ...ops: number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) for (const op of ops) out.push(op);
    return out;
  };
  return [
    // n empty lists, each APPENDed into the one below: nesting depth n.
    ["lists nested 100 000 deep", [...repeat(100_000, 0x5d), ...repeat(99_999, 0x61)]],
    // EMPTY_DICT, then (key, EMPTY_DICT) n times, then n SETITEMs: each dict inside the one below.
    ["dicts nested 50 000 deep", [0x7d, ...repeat(50_000, 0x4b, 1, 0x7d), ...repeat(50_000, 0x73)]],
    // EMPTY_LIST DUP APPEND: a list holding itself.
    ["a list that contains itself", [0x5d, 0x32, 0x61]],
    // L0 = [0]; L(k+1) = (Lk, Lk) by DUP TUPLE2: 60 levels name 2⁶⁰ leaves in a few hundred bytes.
    ["a 60-level shared-subtree bomb (2⁶⁰ leaves)", [0x5d, 0x4b, 0, 0x61, ...repeat(60, 0x32, 0x86)]],
    ["a tuple of 1 000 000 Nones", [0x28, ...repeat(1_000_000, 0x4e), 0x74]],
  ];
}

/** Every structural `.pt` mutation (deterministic; a few hundred inputs). */
export function* structuralTorchInputs(): Generator<TorchFuzzInput> {
  const t = (what: string, bytes: Uint8Array): TorchFuzzInput => ({
    target: "torch",
    what: `pt: ${what}`,
    bytes,
  });
  const valid = torchFixture();
  yield t("valid tiny ViT state dict", valid);
  for (const field of zipFields(valid)) {
    for (const value of STRUCTURAL_VALUES) {
      const copy = valid.slice();
      const view = new DataView(copy.buffer);
      if (field.width === 2) view.setUint16(field.offset, value & 0xffff, true);
      else view.setUint32(field.offset, value >>> 0, true);
      yield t(`${field.name} = ${value}`, copy);
    }
  }
  // Deflated entries claiming huge sizes (method 8 on the pickle; size fields saturated).
  for (const size of [2 ** 31, 2 ** 32 - 2]) {
    const copy = valid.slice();
    const view = new DataView(copy.buffer);
    const central = u32At(copy, 0x02014b50)[0];
    view.setUint16(central + 10, 8, true);
    view.setUint32(central + 24, size, true);
    yield t(`pkl deflated, size ${size}`, copy);
  }
  // Zip64: saturated end record with a locator pointing far away.
  {
    const eocd = u32At(valid, 0x06054b50).at(-1)!;
    const locator = new Uint8Array(20);
    const lv = new DataView(locator.buffer);
    lv.setUint32(0, 0x07064b50, true);
    for (const target of [2n ** 53n, 2n ** 63n, 0n]) {
      lv.setBigUint64(8, target, true);
      const copy = new Uint8Array(valid.length + 20);
      copy.set(valid.subarray(0, eocd));
      copy.set(locator, eocd);
      copy.set(valid.subarray(eocd), eocd + 20);
      new DataView(copy.buffer).setUint32(eocd + 20 + 16, 0xffffffff, true);
      yield t(`zip64 locator at ${target}`, copy);
    }
  }
  const qkv = 4; // blocks.0.attn.qkv.weight [48, 16]
  for (const key of ["999", "__proto__", "constructor", "toString", "../data.pkl", "", "0"]) {
    yield t(`storage key "${key}"`, withSpec(qkv, { key }));
  }
  for (const numel of [...STRUCTURAL_VALUES, 2 ** 53, 2n ** 63n, 1.5]) {
    yield t(`storage numel ${numel}`, withSpec(qkv, { numel }));
  }
  for (const offset of [...STRUCTURAL_VALUES, 2 ** 53, 2n ** 63n, 767]) {
    yield t(`storage offset ${offset}`, withSpec(qkv, { offset }));
  }
  for (const dim of [0, 1]) {
    for (const value of [...STRUCTURAL_VALUES, 2 ** 53, 2n ** 63n]) {
      const shape: PyInt[] = [48, 16];
      shape[dim] = value;
      yield t(`shape[${dim}] ${value}`, withSpec(qkv, { shape }));
      const stride: PyInt[] = [16, 1];
      stride[dim] = value;
      yield t(`stride[${dim}] ${value}`, withSpec(qkv, { stride }));
      yield t(`shape[${dim}] ${value} with stride 0`, withSpec(qkv, { shape, stride: [0, 0] }));
    }
  }
  for (
    const [label, shape, stride] of [
      ["scalar", [], []],
      ["rank 64", new Array(64).fill(1), new Array(64).fill(1)],
      ["rank 3 / stride rank 2", [48, 16, 1], [16, 1]],
      ["[65535, 65535, 65535] stride 0", [65535, 65535, 65535], [0, 0, 0]],
      ["[2³¹, 2³¹] stride 0", [2 ** 31, 2 ** 31], [0, 0]],
      ["[4096, 4096] stride 0", [4096, 4096], [0, 0]],
    ] as [string, PyInt[], PyInt[]][]
  ) yield t(`shape ${label}`, withSpec(qkv, { shape, stride }));
  for (
    const cls of [
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "isPrototypeOf",
      "UntypedStorage",
      "ComplexFloatStorage",
    ]
  ) yield t(`storage class torch.${cls}`, withSpec(qkv, { storageClass: cls }));
  for (const dtype of ["HalfStorage", "BFloat16Storage", "DoubleStorage", "LongStorage", "BoolStorage"]) {
    yield t(`storage class ${dtype} on float bytes`, withSpec(qkv, { storageClass: dtype }));
  }
  for (
    const [module, name] of [
      ["os", "system"],
      ["builtins", "eval"],
      ["__builtin__", "getattr"],
      ["torch._utils", "_rebuild_tensor"],
      ["numpy.core.multiarray", "_reconstruct"],
      ["collections", "constructor"],
      ["torch._utils", "__proto__"],
      ["torch", "FloatStorage"],
    ]
  ) yield t(`rebuild global ${module}.${name}`, withSpec(qkv, {}, { rebuild: [module, name] }));
  for (const [label, prefix] of HOSTILE_PREFIXES) {
    yield t(`opcodes: ${label}`, archive(pickleOf(fixtureSpecs(), { prefix }), storageData()));
  }
  for (const [label, extra] of hostileValues()) {
    yield t(`value: ${label}`, archive(pickleOf(fixtureSpecs(), { extra }), storageData()));
  }
  // The whole pickle cut at every 97th byte (CRC repaired, so the unpickler sees the cut).
  const pickle = pickleOf(fixtureSpecs());
  for (let cut = 0; cut < pickle.length; cut += 97) {
    yield t(`pickle truncated to ${cut}`, archive(pickle.slice(0, cut), storageData()));
  }
}

/** A random `.pt` mutation: 1–4 bit flips or a truncation, of the pickle (CRC repaired) or of the whole file. */
export function randomTorchInput(seed: number, index: number): TorchFuzzInput {
  const random = Random.from(seed, index, 7).source();
  const inPickle = random() < 0.6;
  const truncate = random() < 0.25;
  const base = inPickle ? pickleOf(fixtureSpecs()) : torchFixture();
  let bytes: Uint8Array;
  let what: string;
  if (truncate) {
    const cut = Math.floor(random() * base.length);
    bytes = base.slice(0, cut);
    what = `truncation to ${cut}`;
  } else {
    bytes = base.slice();
    const flips = 1 + Math.floor(random() * 4);
    for (let f = 0; f < flips; f++) {
      bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
    }
    what = `${flips} random bit flips`;
  }
  if (inPickle) bytes = archive(bytes, storageData());
  return {
    target: "torch",
    what: `pt: ${inPickle ? "pickle" : "file"} ${what} (seed ${seed} #${index})`,
    bytes,
  };
}
