/**
 * Loading the target encoder out of a ViT-L-sized PyTorch training checkpoint, against safetensors.
 *
 *     flock /tmp/echojepa-heavy.lock deno run -A bench/pt_load.ts [--dir /tmp/echojepa-pt-bench] [--keep]
 *
 * Synthesises (random values, the real shapes and key names) a reference pretraining checkpoint the size of the
 * released V-JEPA 2 `vitl.pt`: `encoder`, `predictor`, `target_encoder` (`module.backbone.` keys), AdamW's two
 * moments for encoder and predictor, and the metadata — about 5 GB — plus the target encoder alone as
 * safetensors. Then, each in a fresh process so that its peak RSS (VmHWM) is its own:
 *
 * - `read .pt (host)`: the zip directory, the pickle, and only the target encoder's storages, to host memory;
 * - `read .safetensors (host)`: the file read whole and split into tensors;
 * - `loadVit .pt` / `loadVit .safetensors`: a ViT-L built and loaded (what `deno task eval --encoder` does);
 *   on a software adapter GPU buffers live in host memory, so their RSS includes the model twice (the loaded
 *   tensors and the model's own) beside what the reader holds;
 * - `ViT-L only`: the model built, nothing loaded (the floor of the two above).
 *
 * Files are deleted at the end unless --keep.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  init,
  PyFloat,
  readSafetensorsHost,
  SaveTensor,
  type SaveValue,
  TorchCheckpoint,
  writeTorchCheckpoint,
} from "@echojepa/tensor";
import { loadVit, VisionTransformer, vitConfig } from "@echojepa/vit";
import { runConvert } from "../tools/convert.ts";

const L = {
  dim: 1024,
  depth: 24,
  hidden: 4096,
  predDim: 384,
  predDepth: 12,
  predHidden: 1536,
  maskTokens: 10,
};

function blockShapes(prefix: string, d: number, hidden: number): [string, number[]][] {
  return [
    [`${prefix}norm1.weight`, [d]],
    [`${prefix}norm1.bias`, [d]],
    [`${prefix}attn.qkv.weight`, [3 * d, d]],
    [`${prefix}attn.qkv.bias`, [3 * d]],
    [`${prefix}attn.proj.weight`, [d, d]],
    [`${prefix}attn.proj.bias`, [d]],
    [`${prefix}norm2.weight`, [d]],
    [`${prefix}norm2.bias`, [d]],
    [`${prefix}mlp.fc1.weight`, [hidden, d]],
    [`${prefix}mlp.fc1.bias`, [hidden]],
    [`${prefix}mlp.fc2.weight`, [d, hidden]],
    [`${prefix}mlp.fc2.bias`, [d]],
  ];
}

/** ViT-L encoder parameter names and shapes (V-JEPA 2 `vit_large`, RoPE: no pos_embed). */
export function encoderShapes(): [string, number[]][] {
  const out: [string, number[]][] = [
    ["patch_embed.proj.weight", [L.dim, 3, 2, 16, 16]],
    ["patch_embed.proj.bias", [L.dim]],
  ];
  for (let i = 0; i < L.depth; i++) out.push(...blockShapes(`blocks.${i}.`, L.dim, L.hidden));
  out.push(["norm.weight", [L.dim]], ["norm.bias", [L.dim]]);
  return out;
}

function predictorShapes(): [string, number[]][] {
  const out: [string, number[]][] = [
    ["predictor_embed.weight", [L.predDim, L.dim]],
    ["predictor_embed.bias", [L.predDim]],
  ];
  for (let i = 0; i < L.maskTokens; i++) out.push([`mask_tokens.${i}`, [1, 1, L.predDim]]);
  for (let i = 0; i < L.predDepth; i++) {
    out.push(...blockShapes(`predictor_blocks.${i}.`, L.predDim, L.predHidden));
  }
  out.push(
    ["predictor_norm.weight", [L.predDim]],
    ["predictor_norm.bias", [L.predDim]],
    ["predictor_proj.weight", [L.dim, L.predDim]],
    ["predictor_proj.bias", [L.dim]],
  );
  return out;
}

/** Uniform values in [-0.05, 0.05) from a cheap xorshift generator (content does not matter, only bytes). */
function randomTensor(shape: number[], seed: number): SaveTensor {
  return new SaveTensor(shape, () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    let s = (seed * 2654435761) >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = ((s >>> 0) / 4294967296 - 0.5) * 0.1;
    }
    return Promise.resolve(out);
  });
}

async function synthesise(path: string): Promise<void> {
  let seed = 1;
  const module = (shapes: [string, number[]][]) =>
    new Map<string, SaveValue>(shapes.map(([n, s]) => [`module.backbone.${n}`, randomTensor(s, seed++)]));
  const trainable = [...encoderShapes(), ...predictorShapes()];
  const state = new Map<number, SaveValue>();
  trainable.forEach(([, s], i) =>
    state.set(i, {
      step: new SaveTensor([], new Float32Array([1000])),
      exp_avg: randomTensor(s, seed++),
      exp_avg_sq: randomTensor(s, seed++),
    })
  );
  await writeTorchCheckpoint(path, {
    encoder: module(encoderShapes()),
    predictor: module(predictorShapes()),
    target_encoder: module(encoderShapes()),
    opt: { state, param_groups: [{ lr: new PyFloat(1e-4), params: trainable.map((_, i) => i) }] },
    scaler: null,
    epoch: 10,
    loss: new PyFloat(0.5),
    batch_size: 24,
    world_size: 8,
    lr: new PyFloat(1e-4),
  });
}

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function child(mode: string, file: string): Promise<void> {
  const t0 = performance.now();
  let values = 0;
  if (mode === "pt-host") {
    const c = TorchCheckpoint.open(file);
    c.forEachTensor(c.tensors("target_encoder"), (_, t) => (values += t.data.length));
    c.close();
  } else if (mode === "st-host") {
    for (const t of readSafetensorsHost(await Deno.readFile(file)).values()) values += t.data.length;
  } else {
    await init();
    const start = performance.now();
    const model = mode === "vit-only"
      ? new VisionTransformer(vitConfig("large"))
      : loadVit(file, vitConfig("large"), mode === "pt-vit" ? { key: "target_encoder" } : {});
    await model.norm.weight!.toArray(); // wait for the device
    values = model.parameterCount();
    model.dispose();
    console.log(
      JSON.stringify({ seconds: (performance.now() - start) / 1000, peakRssMB: peakRssMB(), values }),
    );
    return;
  }
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, peakRssMB: peakRssMB(), values }));
}

async function runChild(
  mode: string,
  file: string,
): Promise<{ seconds: number; peakRssMB: number; values: number }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--child", mode, file],
    stderr: "inherit",
  }).output();
  if (!r.success) throw new Error(`${mode} failed`);
  const lines = new TextDecoder().decode(r.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      dir: { type: "string", default: "/tmp/echojepa-pt-bench" },
      keep: { type: "boolean", default: false },
      child: { type: "string" },
    },
    allowPositionals: true,
  });
  if (values.child) {
    await child(values.child, Deno.args[Deno.args.length - 1]);
  } else {
    const dir = values.dir;
    await Deno.mkdir(dir, { recursive: true });
    const pt = `${dir}/vitl-train.pt`;
    const st = `${dir}/vitl-target.safetensors`;
    try {
      let t = performance.now();
      await synthesise(pt);
      const ptBytes = Deno.statSync(pt).size;
      console.error(
        `wrote ${pt}: ${(ptBytes / 1e9).toFixed(2)} GB in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      t = performance.now();
      await runConvert({ input: pt, output: st, key: "target_encoder", dtype: "f32", list: false });
      console.error(`wrote ${st} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const rows: [string, string, string][] = [
        ["read .pt (host), target_encoder only", "pt-host", pt],
        ["read .safetensors (host)", "st-host", st],
        ["ViT-L only (no load)", "vit-only", pt],
        ["loadVit .pt (target_encoder)", "pt-vit", pt],
        ["loadVit .safetensors", "st-vit", st],
      ];
      console.log(
        `checkpoint ${(ptBytes / 1e9).toFixed(2)} GB; target encoder ${
          (Deno.statSync(st).size / 1e9).toFixed(2)
        } GB`,
      );
      console.log("| what | seconds | peak RSS (MB) |\n|---|---|---|");
      for (const [name, mode, file] of rows) {
        const r = await runChild(mode, file);
        console.log(`| ${name} | ${r.seconds.toFixed(2)} | ${r.peakRssMB.toFixed(0)} |`);
      }
      console.log(`load average: ${Deno.readTextFileSync("/proc/loadavg").trim()}`);
    } finally {
      if (!values.keep) await Deno.remove(dir, { recursive: true });
    }
  }
}
