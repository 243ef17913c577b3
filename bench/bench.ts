/**
 * `deno task bench`: the tensor package against TensorFlow.js's WebGPU backend, on the same adapter, in the same
 * run. Prints a table and writes bench/results.json (an array of {name, ours, peer, unit, ratio, adapter, date};
 * ratio > 1 means ours is better whichever way the unit points).
 *
 * Options: --only=matmul_1024,attention_fwd_bwd,vit_tiny_train_step   run a subset (other entries of the JSON are
 *          kept); --peer-steps=N timed W2 steps of the peer (default 3; ~20 s each on llvmpipe); --steps=N timed W2
 *          steps of ours (default 5); --out=path.
 */
import { parseArgs } from "node:util";
import { backend, init } from "@echojepa/tensor";
import { initTfjs, setupAttentionTfjs, setupMatmulTfjs, setupVitTfjs } from "./peer_tfjs.ts";
import { progress, timeRuns, type Timing } from "./timing.ts";
import { setupVitOurs } from "./vit_ours.ts";
import { seededData, W2_CLIPS, w2Data } from "./w2_config.ts";
import { setupAttentionOurs, setupMatmulOurs } from "./workloads_ours.ts";

/** One row of bench/results.json. */
interface BenchResult {
  name: string;
  ours: number;
  peer: number;
  unit: "GFLOP/s" | "ms";
  ratio: number;
  adapter: string;
  date: string;
  notes?: string;
}

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    steps: { type: "string", default: "5" },
    "peer-steps": { type: "string", default: "3" },
    out: { type: "string", default: new URL("./results.json", import.meta.url).pathname },
  },
});

const WORKLOADS = ["matmul_1024", "attention_fwd_bwd", "vit_tiny_train_step"] as const;
const selected = values.only ? values.only.split(",") : [...WORKLOADS];
for (const s of selected) {
  if (!(WORKLOADS as readonly string[]).includes(s)) {
    throw new Error(`bench: unknown workload "${s}" (${WORKLOADS})`);
  }
}

await init();
await initTfjs();
const adapter = `${backend().info.device} via ${graphicsApi()}`;
const date = new Date().toISOString().slice(0, 10);
console.log(`adapter: ${adapter}; TensorFlow.js 4.22 webgpu on the same navigator.gpu`);

/**
 * Which of Mesa's two software drivers Deno is using: both report "llvmpipe (…)", and Deno cannot say which API it
 * chose (denoland/deno#31239), so infer it: wgpu prefers Vulkan when a Vulkan driver is installed.
 */
function graphicsApi(): string {
  const forced = Deno.env.get("DENO_WEBGPU_BACKEND");
  if (forced) return forced === "gl" ? "GL" : forced;
  const icds = [Deno.env.get("VK_ICD_FILENAMES"), "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"];
  return icds.some((f) => f && exists(f)) ? "Vulkan" : "GL";
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function result(
  name: string,
  ours: number,
  peer: number,
  unit: BenchResult["unit"],
  notes?: string,
): BenchResult {
  const ratio = unit === "ms" ? peer / ours : ours / peer;
  return { name, ours: round(ours), peer: round(peer), unit, ratio: round(ratio), adapter, date, notes };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

function describe(t: Timing): string {
  return `median ${t.medianMs.toFixed(1)} ms of [${t.runsMs.map((x) => x.toFixed(0))}], warm-up ${
    t.warmupMs.toFixed(0)
  } ms`;
}

async function benchMatmul(): Promise<BenchResult> {
  const n = 1024;
  const a = seededData(n * n, 11);
  const b = seededData(n * n, 12);
  const ours = setupMatmulOurs(a, b, n);
  const peer = setupMatmulTfjs(a, b, n);
  // Both must agree before their speed means anything.
  const [co, cp] = [await ours(), await peer()];
  let worst = 0;
  for (let i = 0; i < co.length; i++) worst = Math.max(worst, Math.abs(co[i] - cp[i]));
  if (worst > 1e-2) throw new Error(`matmul_1024: ours and TF.js differ by up to ${worst}`);
  const gflop = (2 * n * n * n) / 1e9;
  const to = await timeRuns(async () => void await ours(), 1, 5, "matmul_1024 ours");
  const tp = await timeRuns(async () => void await peer(), 1, 5, "matmul_1024 TF.js");
  console.log(
    `matmul_1024 ours: ${describe(to)}\nmatmul_1024 TF.js: ${describe(tp)} (max |diff| ${
      worst.toExponential(1)
    })`,
  );
  return result("matmul_1024", gflop / to.medianMs * 1e3, gflop / tp.medianMs * 1e3, "GFLOP/s");
}

async function benchAttention(): Promise<BenchResult> {
  const shape: [number, number, number, number] = [2, 3, 392, 64];
  const size = shape.reduce((s, d) => s * d, 1);
  const [q, k, v, dy] = [21, 22, 23, 24].map((seed) => seededData(size, seed));
  const to = await timeRuns(setupAttentionOurs(shape, q, k, v, dy), 2, 5, "attention ours");
  const tp = await timeRuns(setupAttentionTfjs(shape, q, k, v, dy), 2, 5, "attention TF.js");
  console.log(`attention_fwd_bwd ours: ${describe(to)}\nattention_fwd_bwd TF.js: ${describe(tp)}`);
  return result(
    "attention_fwd_bwd",
    to.medianMs,
    tp.medianMs,
    "ms",
    "[2,3,392,64], forward + backward; TF.js is softmax(q·kᵀ)·v with tf.grads",
  );
}

async function benchVit(): Promise<BenchResult> {
  const data = w2Data(W2_CLIPS);
  const ours = setupVitOurs(W2_CLIPS, data);
  const lossesOurs: number[] = [];
  const to = await timeRuns(
    async () => void lossesOurs.push(await ours.step()),
    2,
    Number(values.steps),
    "W2 ours",
  );
  console.log(
    `vit_tiny_train_step ours (${ours.parameterCount} parameters): ${describe(to)}, losses [${
      lossesOurs.map((l) => l.toFixed(4))
    }]`,
  );
  const peer = setupVitTfjs(W2_CLIPS, data);
  const lossesPeer: number[] = [];
  const tp = await timeRuns(
    async () => void lossesPeer.push(await peer.step()),
    2,
    Number(values["peer-steps"]),
    "W2 TF.js",
  );
  console.log(`vit_tiny_train_step TF.js: ${describe(tp)}, losses [${lossesPeer.map((l) => l.toFixed(4))}]`);
  return result(
    "vit_tiny_train_step",
    to.medianMs,
    tp.medianMs,
    "ms",
    `median of ${to.runsMs.length} (ours) and ${tp.runsMs.length} (TF.js) steps after 2 warm-ups; TF.js uses Adam (it has no AdamW)`,
  );
}

const RUN: Record<(typeof WORKLOADS)[number], () => Promise<BenchResult>> = {
  matmul_1024: benchMatmul,
  attention_fwd_bwd: benchAttention,
  vit_tiny_train_step: benchVit,
};

// Keep the entries of workloads not run this time; write after each workload so an interrupted run keeps its data.
let previous: BenchResult[] = [];
try {
  previous = JSON.parse(await Deno.readTextFile(values.out));
} catch {
  previous = [];
}
const results: BenchResult[] = [];
let merged: BenchResult[] = previous;
for (const name of WORKLOADS) {
  if (!selected.includes(name)) continue;
  progress(`${name}…`);
  results.push(await RUN[name]());
  merged = WORKLOADS.map((n) => results.find((r) => r.name === n) ?? previous.find((r) => r.name === n))
    .filter((r): r is BenchResult => r !== undefined);
  await Deno.writeTextFile(values.out, JSON.stringify(merged, null, 2) + "\n");
}

console.log(
  `\n${"workload".padEnd(22)}${"ours".padStart(10)}${"TF.js".padStart(10)}  ${"unit".padEnd(8)}ratio`,
);
for (const r of merged) {
  console.log(
    `${r.name.padEnd(22)}${String(r.ours).padStart(10)}${String(r.peer).padStart(10)}  ${
      r.unit.padEnd(8)
    }${r.ratio}×`,
  );
}
console.log(`(ratio > 1: ours better) written to ${values.out}`);
Deno.exit(0);
