/**
 * The device-machine benchmark (run by `bench/gpu.sh` from a bundle, so it needs no network and no `npm:`
 * resolution there): the WebGPU adapter, W1 (matmul 1024³), W2 (the ViT-tiny train step of bench.ts) and a
 * ViT-L/16 forward over one 16×224×224 clip (1568 tokens, inference), each after warm-up runs. Prints a table and
 * writes `gpu-results.json` into the folder of `--out` (default: `$OUT`, else the working directory).
 *
 *   deno run --allow-all bench/gpu.ts            # here, on whatever adapter there is (slow on llvmpipe)
 *   bash bench/gpu_prepare.sh && (device) bash bench/gpu.sh
 */
import { parseArgs } from "node:util";
import { backend, describeBackend, init, noGrad, tensor } from "@echojepa/tensor";
import { VisionTransformer, vitConfig } from "@echojepa/vit";
import { timeRuns } from "./timing.ts";
import { setupVitOurs } from "./vit_ours.ts";
import { seededData, W2_CLIPS, w2Data } from "./w2_config.ts";
import { setupMatmulOurs } from "./workloads_ours.ts";

const { values: opts } = parseArgs({
  options: {
    out: { type: "string", default: Deno.env.get("OUT") ?? "." },
    "vitl-runs": { type: "string", default: "3" },
    skip: { type: "string", default: "" },
  },
});
const skip = new Set(opts.skip!.split(",").filter(Boolean));

await init({ backend: "webgpu" });
const device = describeBackend(backend());
console.log(`adapter: ${device}`);
const rows: { name: string; value: number; unit: string; runsMs: number[]; warmupMs: number }[] = [];

if (!skip.has("w1")) {
  const n = 1024;
  const f = setupMatmulOurs(seededData(n * n, 11), seededData(n * n, 12), n);
  const t = await timeRuns(async () => void await f(), 3, 10, "W1");
  rows.push({ name: "W1 matmul 1024³", value: (2 * n ** 3) / t.medianMs / 1e6, unit: "GFLOP/s", ...t });
}
if (!skip.has("w2")) {
  const m = setupVitOurs(W2_CLIPS, w2Data(W2_CLIPS));
  const t = await timeRuns(async () => void await m.step(), 2, 5, "W2");
  rows.push({ name: "W2 ViT-tiny train step", value: t.medianMs, unit: "ms", ...t });
}
if (!skip.has("vitl")) {
  const config = vitConfig("large", { numFrames: 16, imageSize: 224 });
  const built = performance.now();
  const model = new VisionTransformer(config);
  console.log(`ViT-L built in ${((performance.now() - built) / 1000).toFixed(1)} s`);
  const clip = tensor(seededData(3 * 16 * 224 * 224, 13), [1, 3, 16, 224, 224]);
  const t = await timeRuns(
    async () => {
      const y = noGrad(() => model.forward(clip));
      await y.toArray();
      y.dispose();
    },
    1,
    Number(opts["vitl-runs"]),
    "ViT-L",
  );
  rows.push({ name: "ViT-L/16 forward, 1×16×224×224", value: t.medianMs, unit: "ms", ...t });
}

for (const r of rows) {
  console.log(
    `${r.name.padEnd(34)} ${r.value.toFixed(1).padStart(10)} ${r.unit.padEnd(8)} warm-up ${
      r.warmupMs.toFixed(0)
    } ms`,
  );
}
const result = { date: new Date().toISOString(), device, rows };
await Deno.writeTextFile(`${opts.out}/gpu-results.json`, JSON.stringify(result, null, 2) + "\n");
await backend().dispose();
Deno.exit(0);
