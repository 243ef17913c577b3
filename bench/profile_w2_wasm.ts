/**
 * A per-kernel profile of one W2 step (the ViT-tiny train step of bench.ts) on the wasm backend: wall time spent
 * in each catalogue kernel (elementwise calls by label), summed over the step, after one warm-up step. The wasm
 * backend is eager, so a kernel's call time is its run time.
 *
 *   deno run --allow-all bench/profile_w2_wasm.ts
 */
import { backend, init } from "@echojepa/tensor";
import { setupVitOurs } from "./vit_ours.ts";
import { W2_CLIPS, w2Data } from "./w2_config.ts";

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
const model = setupVitOurs(W2_CLIPS, w2Data(W2_CLIPS));
await model.step();
times.clear();
const t0 = performance.now();
await model.step();
const total = performance.now() - t0;
const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
console.log(
  `W2 step on wasm (${backend().info.threads} threads): ${total.toFixed(0)} ms; load average ${load}`,
);
let inKernels = 0;
for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1])) {
  inKernels += ms;
  if (ms >= 0.5) {
    console.log(
      `${k.padEnd(34)}${ms.toFixed(1).padStart(9)} ms${(100 * ms / total).toFixed(1).padStart(7)} %`,
    );
  }
}
console.log(`${"(outside kernels: front, tape)".padEnd(34)}${(total - inKernels).toFixed(1).padStart(9)} ms`);
await backend().dispose();
Deno.exit(0);
