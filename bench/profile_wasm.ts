/**
 * A per-kernel profile on the wasm backend of one W2 step (the ViT-tiny train step of bench.ts, after one warm-up
 * step) or of the default demo preset's JEPA pretraining steps (`--workload=demo`: 10 steps after 5 warm-up
 * steps, batches included): wall time spent in each catalogue kernel (elementwise calls by label). The wasm
 * backend is eager, so a kernel's call time is its run time.
 *
 *   deno run --allow-all bench/profile_wasm.ts [--workload=w2|demo]
 */
import { parseArgs } from "node:util";
import { backend, init } from "@echojepa/tensor";
import { pretrain, sourceFromConfig } from "@echojepa/jepa";
import { pretrainConfig } from "../tools/demo/backbones.ts";
import { DEMO_PRESETS } from "../tools/demo/presets.ts";
import { setupVitOurs } from "./vit_ours.ts";
import { W2_CLIPS, w2Data } from "./w2_config.ts";

const { values: opts } = parseArgs({ options: { workload: { type: "string", default: "w2" } } });

await init({ backend: "wasm" });
const be = backend() as unknown as Record<string, (...args: unknown[]) => unknown>;
const times = new Map<string, number>();
const KERNELS = [
  "elementwise",
  "reduce",
  "matmul",
  "softmax",
  "softmaxBackward",
  "layerNorm",
  "layerNormBackward",
  "attention",
  "attentionBackward",
  "gather",
  "scatterAdd",
  "concatPart",
  "ropeGather",
  "ropeScatter",
  "dropout",
  "adamw",
  "sgd",
  "ema",
  "globalNorm",
  "scale",
  "copy",
  "upload",
  "alloc",
  "release",
];
for (const name of KERNELS) {
  const f = be[name].bind(be);
  be[name] = (...args: unknown[]) => {
    const t = performance.now();
    const r = f(...args);
    const key = name === "elementwise" ? `elementwise:${(args[0] as { label: string }).label}` : name;
    times.set(key, (times.get(key) ?? 0) + performance.now() - t);
    return r;
  };
}
let total: number;
let what: string;
if (opts.workload === "demo") {
  const config = pretrainConfig(DEMO_PRESETS.default, "jepa", "/tmp/echojepa-profile-unused");
  config.run.logEvery = 5;
  const source = await sourceFromConfig(config.data, config.seed);
  let t0 = 0;
  await pretrain(config, {
    source,
    stopAtStep: 15,
    writeFiles: false,
    verbose: false,
    progress: false,
    onStep: (m) => {
      if (m.step === 5) {
        times.clear();
        t0 = performance.now();
      }
    },
  });
  total = (performance.now() - t0) / 10;
  for (const [k, ms] of times) times.set(k, ms / 10);
  what = "demo JEPA step (mean of 10)";
} else {
  const model = setupVitOurs(W2_CLIPS, w2Data(W2_CLIPS));
  await model.step();
  times.clear();
  const t0 = performance.now();
  await model.step();
  total = performance.now() - t0;
  what = "W2 step";
}
const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
console.log(
  `${what} on wasm (${backend().info.threads} threads): ${total.toFixed(1)} ms; load average ${load}`,
);
let inKernels = 0;
for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1])) {
  inKernels += ms;
  if (ms >= 0.5 || (opts.workload === "demo" && ms >= 0.2)) {
    console.log(
      `${k.padEnd(34)}${ms.toFixed(1).padStart(9)} ms${(100 * ms / total).toFixed(1).padStart(7)} %`,
    );
  }
}
console.log(`${"(outside kernels: front, tape)".padEnd(34)}${(total - inKernels).toFixed(1).padStart(9)} ms`);
await backend().dispose();
Deno.exit(0);
