/**
 * `deno task convert`: PyTorch `.pt` ↔ safetensors for encoders, predictors, probes and whole training
 * checkpoints, and `--list` to see what any checkpoint holds. The input's format is read from its content; the
 * output's from its extension (`.safetensors`, else PyTorch).
 *
 *     deno task convert --list vitl.pt
 *     deno task convert vitl.pt vitl-target.safetensors --key target_encoder
 *     deno task convert echojepa-l-k-lvef.pt lvef-head0.safetensors --key classifiers.0 --dtype bf16
 *     deno task convert encoder.safetensors encoder.pt
 *
 * `.pt` → `.pt` keeps the whole structure (metadata, optimizer state) and only changes what `--dtype` asks.
 * safetensors → `.pt` rebuilds the reference's nesting from the dotted names: `classifiers.<i>.…` becomes the
 * list of head state dicts, `encoder.`/`predictor.`/`target_encoder.`/`decoder.` become one state dict each.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  encodeSafetensors,
  floatToBfloat16,
  floatToHalf,
  type HostTensor,
  listWeights,
  type PickleValue,
  PyFloat,
  readSafetensorsHost,
  type SafetensorsDType,
  type SafetensorsHostEntry,
  type SaveFloatDType,
  SaveTensor,
  type SaveValue,
  TorchCheckpoint,
  TorchTensorRef,
  writeTorchCheckpoint,
} from "@echojepa/tensor";

import { writeFileAtomic } from "@echojepa/video";
import { CliError, ensureWritableDir, parentDir, runCli } from "./lib/cli.ts";

const HELP = `Usage: deno task convert IN OUT [--key K] [--dtype f32|f16|bf16]
       deno task convert --list IN

Converts between PyTorch checkpoints (.pt, the zip format of torch.save) and safetensors. IN's format is read from
its content; OUT is safetensors when it ends in .safetensors, else a PyTorch file torch.load(weights_only=True)
reads.

  --key K        convert only this part: a module (target_encoder, encoder, predictor) or a head
                 (classifiers.0); its names are written relative to it
  --dtype T      f32 (default), f16 or bf16 for the floating-point tensors written
  --list         print every tensor's name, dtype and shape, and the checkpoint's other values (epoch, lr, …)
  -h, --help     this help
`;

/** Parsed command line. */
export interface ConvertArgs {
  input: string;
  output?: string;
  key?: string;
  dtype: "f32" | "f16" | "bf16";
  list: boolean;
}

/** Parses the command line; null for --help. */
export function parseConvertArgs(args: string[]): ConvertArgs | null {
  const { values, positionals } = parseArgs({
    args,
    options: {
      key: { type: "string" },
      dtype: { type: "string", default: "f32" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return null;
  if (!["f32", "f16", "bf16"].includes(values.dtype)) {
    throw new CliError(`--dtype ${values.dtype}: use f32, f16 or bf16`);
  }
  if (values.list ? positionals.length !== 1 : positionals.length !== 2) {
    throw new CliError(values.list ? "--list takes one file" : "give IN and OUT (see --help)");
  }
  return {
    input: positionals[0],
    output: positionals[1],
    key: values.key,
    dtype: values.dtype as ConvertArgs["dtype"],
    list: values.list,
  };
}

function describeValue(v: PickleValue): string {
  if (v instanceof Map) return `{${v.size} keys}`;
  if (Array.isArray(v)) {
    return v.length <= 8 && v.every((x) => typeof x !== "object" || x === null)
      ? JSON.stringify(v)
      : `[${v.length} items]`;
  }
  return typeof v === "bigint" ? v.toString() : JSON.stringify(v);
}

/** The `--list` text: tensors (name, dtype, shape) and, for PyTorch files, the top-level non-tensor values. */
export function listing(path: string): string {
  const l = listWeights(path);
  const lines = [`${path}: ${l.format}, ${l.entries.length} tensors`];
  let params = 0;
  for (const e of l.entries) {
    lines.push(`  ${e.name}  ${e.dtype}  [${e.shape.join(", ")}]`);
    params += e.shape.reduce((a, b) => a * b, 1);
  }
  lines.push(`  (${params} values)`);
  if (l.root instanceof Map) {
    for (const [k, v] of l.root) {
      if (
        v instanceof TorchTensorRef ||
        (v instanceof Map && [...v.values()].some((x) => x instanceof TorchTensorRef))
      ) {
        continue;
      }
      lines.push(`  ${String(k)} = ${describeValue(v)}`);
    }
  }
  for (const [k, v] of Object.entries(l.metadata)) lines.push(`  metadata ${k} = ${v.slice(0, 200)}`);
  return lines.join("\n");
}

const SAVE_DTYPE: Record<ConvertArgs["dtype"], SaveFloatDType> = {
  f32: "float32",
  f16: "float16",
  bf16: "bfloat16",
};

function hostBytes(t: HostTensor, dtype: ConvertArgs["dtype"]): SafetensorsHostEntry {
  if (t.dtype === "i32") {
    return { dtype: "I32", shape: t.shape, bytes: new Uint8Array(Int32Array.from(t.data).buffer) };
  }
  if (dtype === "f32") {
    return { dtype: "F32", shape: t.shape, bytes: new Uint8Array(Float32Array.from(t.data).buffer) };
  }
  const out = new Uint16Array(t.data.length);
  const to = dtype === "f16" ? floatToHalf : floatToBfloat16;
  for (let i = 0; i < out.length; i++) out[i] = to(t.data[i]);
  return {
    dtype: (dtype === "f16" ? "F16" : "BF16") as SafetensorsDType,
    shape: t.shape,
    bytes: new Uint8Array(out.buffer),
  };
}

/** Rebuilds the reference nesting from dotted names (see the module documentation). */
export function nestState(tensors: Map<string, SaveTensor>): SaveValue {
  const heads: Map<string, SaveTensor>[] = [];
  const modules = new Map<string, Map<string, SaveTensor>>();
  const rest = new Map<string, SaveTensor>();
  for (const [name, t] of tensors) {
    const head = /^classifiers\.(\d+)\.(.+)$/.exec(name);
    const mod = /^(encoder|predictor|target_encoder|decoder)\.(.+)$/.exec(name);
    if (head) (heads[Number(head[1])] ??= new Map()).set(head[2], t);
    else if (mod) {
      if (!modules.has(mod[1])) modules.set(mod[1], new Map());
      modules.get(mod[1])!.set(mod[2], t);
    } else rest.set(name, t);
  }
  if (heads.length === 0 && modules.size === 0) return rest;
  const root: { [k: string]: SaveValue } = {};
  for (const [m, s] of modules) root[m] = s;
  if (heads.length) root.classifiers = heads.map((h) => h ?? new Map());
  for (const [n, t] of rest) root[n] = t;
  return root;
}

/** Turns a PyTorch file's structure into a writable value, tensors read lazily from `ckpt` as they are written. */
function rebuild(ckpt: TorchCheckpoint, v: PickleValue): SaveValue {
  if (v instanceof TorchTensorRef) {
    const host = () => ckpt.readTensors(new Map([["t", v]])).get("t")!;
    return new SaveTensor(
      v.shape,
      () => Promise.resolve(host().data),
      v.storage.dtype.startsWith("float") || v.storage.dtype === "bfloat16" ? undefined : "int64",
    );
  }
  if (v instanceof Map) {
    return new Map([...v].map(([k, x]) => [typeof k === "number" ? k : String(k), rebuild(ckpt, x)]));
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => rebuild(ckpt, x));
    return Object.isFrozen(v) ? Object.freeze(items) as SaveValue[] : items;
  }
  if (typeof v === "number" && !Number.isInteger(v)) return new PyFloat(v);
  if (v instanceof Uint8Array) {
    throw new CliError("convert: bytes values cannot be written to a weights-only file");
  }
  return v as SaveValue;
}

/** Runs the conversion; returns a one-line summary. */
export async function runConvert(args: ConvertArgs): Promise<string> {
  if (args.list) return listing(args.input);
  const out = args.output!;
  // Before reading any tensor: OUT's folder must take a file.
  await ensureWritableDir("out", parentDir(out)).catch((e) => {
    throw new CliError(`OUT ${out}: ${(e as Error).message.replace(/^--out /, "folder ")}`);
  });
  const toSafetensors = out.endsWith(".safetensors");
  const { format } = listWeights(args.input);
  const prefix = args.key ? `${args.key}.` : "";
  if (format === "pytorch") {
    const ckpt = TorchCheckpoint.open(args.input);
    try {
      const refs = ckpt.tensors(args.key ?? "");
      if (refs.size === 0) throw new CliError(`convert: ${args.input} has no tensors under "${args.key}"`);
      if (toSafetensors) {
        const entries = new Map<string, SafetensorsHostEntry>();
        ckpt.forEachTensor(refs, (name, t) => entries.set(name, hostBytes(t, args.dtype)));
        await writeFileAtomic(out, encodeSafetensors(entries));
        return `wrote ${entries.size} tensors to ${out}`;
      }
      const root = args.key
        ? new Map([...refs].map(([n, r]) => [n, rebuild(ckpt, r)]))
        : rebuild(ckpt, ckpt.root);
      await writeFileAtomic(out, (tmp) => writeTorchCheckpoint(tmp, root, { dtype: SAVE_DTYPE[args.dtype] }));
      return `wrote ${refs.size} tensors to ${out}`;
    } finally {
      ckpt.close();
    }
  }
  const tensors = readSafetensorsHost(await Deno.readFile(args.input), prefix);
  if (tensors.size === 0) throw new CliError(`convert: ${args.input} has no tensors under "${args.key}"`);
  if (toSafetensors) {
    const entries = new Map([...tensors].map(([n, t]) => [n, hostBytes(t, args.dtype)]));
    await writeFileAtomic(out, encodeSafetensors(entries));
    return `wrote ${entries.size} tensors to ${out}`;
  }
  const saved = new Map([...tensors].map(([n, t]) => [n, new SaveTensor(t.shape, t.data)]));
  const root = args.key ? saved : nestState(saved);
  await writeFileAtomic(out, (tmp) => writeTorchCheckpoint(tmp, root, { dtype: SAVE_DTYPE[args.dtype] }));
  return `wrote ${saved.size} tensors to ${out}`;
}

if (import.meta.main) {
  await runCli("convert", async (argv) => {
    const args = parseConvertArgs(argv);
    if (!args) return console.log(HELP);
    console.log(await runConvert(args));
  });
}
