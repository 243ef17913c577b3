/**
 * `deno task bench`: the tensor package on both of its compute backends — WebAssembly (`ours-wasm`) and WebGPU
 * (`ours-webgpu`, here Mesa's software adapter) — beside TensorFlow.js's WebGPU backend on the same adapter and
 * jax-js's WebAssembly backend, in one run. Prints a table and writes bench/results.json: one row per workload
 * with every contender's figure, the ratios of ours-wasm to each other contender (> 1: ours-wasm better, whichever
 * way the unit points), the first-call warm-up (compilation) time of each, and the load average at the row's start.
 *
 * Options: --only=matmul_1024,...   run a subset (other rows of the JSON are kept); --steps=N timed W2 steps of
 *          ours (default 3); --peer-steps=N timed W2 steps of TF.js (default 1; ~15–20 s each on llvmpipe);
 *          --backends=wasm,webgpu which of ours to run; --out=path.
 */
import { parseArgs } from "node:util";
import { backend, type BackendName, describeBackend, init } from "@echojepa/tensor";
import { initJaxjs, setupMatmulJaxjs } from "./peer_jaxjs.ts";
import { initTfjs, setupAttentionTfjs, setupMatmulTfjs, setupVitTfjs } from "./peer_tfjs.ts";
import { progress, timeRuns, type Timing } from "./timing.ts";
import { setupVitOurs } from "./vit_ours.ts";
import { seededData, W2_CLIPS, w2Data } from "./w2_config.ts";
import { setupAttentionOurs, setupLinearOurs, setupMatmulOurs } from "./workloads_ours.ts";
import { pretrain, sourceFromConfig } from "@echojepa/jepa";
import { pretrainConfig } from "../tools/demo/backbones.ts";
import { DEMO_PRESETS } from "../tools/demo/presets.ts";

/** Contenders of a row. */
type Contender = "ours-wasm" | "ours-webgpu" | "tfjs-webgpu" | "jaxjs-wasm";

/** One row of bench/results.json. */
interface BenchRow {
  name: string;
  unit: "GFLOP/s" | "ms";
  /** The figure of each contender that ran (median of the timed runs). */
  values: Partial<Record<Contender, number>>;
  /** ours-wasm's figure over each other contender's, oriented so that > 1 means ours-wasm is better. */
  ratios: Partial<Record<Contender, number>>;
  /** Wall time of each contender's warm-up runs (the first includes compiling kernels), ms. */
  warmupMs: Partial<Record<Contender, number>>;
  /** `uptime`'s 1/5/15-minute load average when the row started. */
  loadAverage: string;
  date: string;
  devices: string;
  notes?: string;
}

const { values: opts } = parseArgs({
  options: {
    only: { type: "string" },
    steps: { type: "string", default: "3" },
    "peer-steps": { type: "string", default: "1" },
    backends: { type: "string", default: "wasm,webgpu" },
    out: { type: "string", default: new URL("./results.json", import.meta.url).pathname },
  },
});

const WORKLOADS = [
  "matmul_1024",
  "linear_576x64x192_fwd_bwd",
  "attention_144x4x16_fwd_bwd",
  "attention_fwd_bwd",
  "vit_tiny_train_step",
  "demo_jepa_step",
] as const;
type Workload = (typeof WORKLOADS)[number];
const selected = opts.only ? opts.only.split(",") : [...WORKLOADS];
for (const s of selected) {
  if (!(WORKLOADS as readonly string[]).includes(s)) {
    throw new Error(`bench: unknown workload "${s}" (${WORKLOADS})`);
  }
}
const ours = opts.backends!.split(",") as BackendName[];
const date = new Date().toISOString().slice(0, 10);

const deviceLines: string[] = [];
for (const b of ours) {
  await init({ backend: b });
  deviceLines.push(describeBackend(backend()));
}
await initTfjs();
await initJaxjs();
deviceLines.push("TF.js 4.22 webgpu (same adapter)", "jax-js 0.1.25 wasm");
const devices = deviceLines.join("; ");
console.log(devices);

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function describe(t: Timing): string {
  return `median ${t.medianMs.toFixed(1)} ms of [${t.runsMs.map((x) => x.toFixed(0))}], warm-up ${
    t.warmupMs.toFixed(0)
  } ms`;
}

const round = (x: number): number => Number(x.toPrecision(4));

/** A row with no figures yet; the load average is taken now, at the row's start. */
function emptyRow(name: Workload, unit: BenchRow["unit"], notes?: string): BenchRow {
  const r: BenchRow = {
    name,
    unit,
    values: {},
    ratios: {},
    warmupMs: {},
    loadAverage: loadAverage(),
    date,
    devices,
  };
  if (notes) r.notes = notes;
  return r;
}

/** ours-wasm's figure over every other contender's, oriented so that > 1 means ours-wasm is better. */
function fillRatios(r: BenchRow): void {
  const w = r.values["ours-wasm"];
  if (w === undefined) return;
  for (const [who, v] of Object.entries(r.values) as [Contender, number][]) {
    if (who !== "ours-wasm") r.ratios[who] = round(r.unit === "ms" ? v / w : w / v);
  }
}

/** Times each contender's `run` (null: not available for this workload) and builds the row. */
async function row(
  name: Workload,
  unit: BenchRow["unit"],
  contenders: Partial<Record<Contender, () => Promise<() => Promise<void>>>>,
  reps: Partial<Record<Contender, number>>,
  toFigure: (ms: number) => number,
  notes?: string,
): Promise<BenchRow> {
  const r = emptyRow(name, unit, notes);
  for (
    const [who, setup] of Object.entries(contenders) as [Contender, () => Promise<() => Promise<void>>][]
  ) {
    if (who.startsWith("ours-")) await init({ backend: who.slice(5) as BackendName });
    const run = await setup();
    const t = await timeRuns(run, name === "vit_tiny_train_step" ? 1 : 2, reps[who] ?? 5, `${name} ${who}`);
    console.log(`${name} ${who}: ${describe(t)}`);
    r.values[who] = round(toFigure(t.medianMs));
    r.warmupMs[who] = round(t.warmupMs);
  }
  fillRatios(r);
  return r;
}

function ourContenders(
  make: () => () => Promise<void>,
): Partial<Record<Contender, () => Promise<() => Promise<void>>>> {
  const out: Partial<Record<Contender, () => Promise<() => Promise<void>>>> = {};
  for (const b of ours) out[`ours-${b}` as Contender] = () => Promise.resolve(make());
  return out;
}

async function benchMatmul(): Promise<BenchRow> {
  const n = 1024;
  const a = seededData(n * n, 11);
  const b = seededData(n * n, 12);
  const flop = 2 * n ** 3;
  return await row(
    "matmul_1024",
    "GFLOP/s",
    {
      ...ourContenders(() => {
        const f = setupMatmulOurs(a, b, n);
        return async () => void await f();
      }),
      "tfjs-webgpu": () => {
        const f = setupMatmulTfjs(a, b, n);
        return Promise.resolve(async () => void await f());
      },
      "jaxjs-wasm": () => {
        const f = setupMatmulJaxjs(new Float32Array(a), new Float32Array(b), n);
        return Promise.resolve(async () => void await f());
      },
    },
    {},
    (ms) => flop / ms / 1e6,
    "W1: [1024,1024]·[1024,1024] f32, result read back",
  );
}

async function benchLinear(): Promise<BenchRow> {
  return await row(
    "linear_576x64x192_fwd_bwd",
    "ms",
    ourContenders(() => setupLinearOurs(576, 64, 192)),
    {},
    (ms) => ms,
    "the demo's qkv-sized product: x[576,64]·W[64,192] forward, gradients of x and W read back",
  );
}

function attentionRow(
  name: Workload,
  shape: [number, number, number, number],
  notes: string,
): Promise<BenchRow> {
  const size = shape.reduce((s, d) => s * d, 1);
  const [q, k, v, dy] = [21, 22, 23, 24].map((seed) => seededData(size, seed));
  return row(
    name,
    "ms",
    {
      ...ourContenders(() => setupAttentionOurs(shape, q, k, v, dy)),
      "tfjs-webgpu": () => Promise.resolve(setupAttentionTfjs(shape, q, k, v, dy)),
    },
    {},
    (ms) => ms,
    notes,
  );
}

async function benchVit(): Promise<BenchRow> {
  const data = w2Data(W2_CLIPS);
  const steps = Number(opts.steps);
  return await row(
    "vit_tiny_train_step",
    "ms",
    {
      ...ourContenders(() => {
        const m = setupVitOurs(W2_CLIPS, data);
        return async () => void await m.step();
      }),
      "tfjs-webgpu": () => {
        const m = setupVitTfjs(W2_CLIPS, data);
        return Promise.resolve(async () => void await m.step());
      },
    },
    { "ours-wasm": steps, "ours-webgpu": steps, "tfjs-webgpu": Number(opts["peer-steps"]) },
    (ms) => ms,
    "W2: ViT-tiny (12 × 192, 3 heads) on 2 clips of 16×112×112, AdamW, one warm-up step; TF.js uses Adam. " +
      "jax-js not run here (no ViT of ours in jax-js); its wasm W2 measured 1.41 s idle (cpu-backend-notes.md)",
  );
}

/**
 * One step of the default demo preset's JEPA pretraining as the trainer runs it (batch from the in-memory phantom
 * pool, augmentation, masks, forward, backward, AdamW, EMA), from the trainer's own throughput figure: steps after
 * its first logged window, whose time (pipeline compilation included) is the warm-up.
 */
async function benchDemoStep(): Promise<BenchRow> {
  const preset = DEMO_PRESETS.default;
  const logEvery = 5;
  // 100 steps: long enough to show whether live memory grows (it must not, on either backend).
  const steps = 100;
  const r = emptyRow(
    "demo_jepa_step",
    "ms",
    `the default demo preset's JEPA step (encoder ${preset.encoder.embedDim}×${preset.encoder.depth}, ` +
      `batch ${preset.pretrainBatch} of ${preset.frames}×${preset.size}², predictor, AdamW, EMA); ` +
      `mean of ${steps - logEvery} steps after a ${logEvery}-step warm-up window`,
  );
  for (const b of ours) {
    await init({ backend: b });
    const config = pretrainConfig(preset, "jepa", "/tmp/echojepa-bench-unused");
    config.run.logEvery = logEvery;
    const source = await sourceFromConfig(config.data, config.seed);
    let warmupMs = 0;
    const live: number[] = [];
    const result = await pretrain(config, {
      source,
      stopAtStep: steps,
      writeFiles: false,
      verbose: false,
      progress: false,
      onStep: (m) => {
        if (warmupMs === 0) warmupMs = m.elapsedSeconds * 1000;
        live.push(m.memoryBytes);
        progress(`demo_jepa_step ours-${b}: step ${m.step}/${steps}`);
      },
    });
    progress("");
    result.encoder.dispose();
    result.targetEncoder?.dispose();
    result.head.dispose();
    const ms = (config.optim.batchSize * 1000) / result.clipsPerSecond;
    // Live bytes after each logged window from the second on (the first allocates optimizer state).
    const growth = Math.max(...live.slice(1)) - Math.min(...live.slice(1));
    console.log(
      `demo_jepa_step ours-${b}: ${ms.toFixed(1)} ms/step, warm-up window ${warmupMs.toFixed(0)} ms, ` +
        `live memory ${(live[1] / 2 ** 20).toFixed(2)} MiB, spread over steps 10–${steps}: ${growth} bytes`,
    );
    r.notes += `; ours-${b} live-memory spread over steps 10–${steps}: ${growth} bytes`;
    r.values[`ours-${b}` as Contender] = round(ms);
    r.warmupMs[`ours-${b}` as Contender] = round(warmupMs);
  }
  fillRatios(r);
  return r;
}

const RUN: Record<Workload, () => Promise<BenchRow>> = {
  matmul_1024: benchMatmul,
  linear_576x64x192_fwd_bwd: benchLinear,
  attention_144x4x16_fwd_bwd: () =>
    attentionRow(
      "attention_144x4x16_fwd_bwd",
      [4, 4, 144, 16],
      "the demo's attention: [4,4,144,16], fwd + bwd",
    ),
  attention_fwd_bwd: () =>
    attentionRow(
      "attention_fwd_bwd",
      [2, 3, 392, 64],
      "[2,3,392,64], forward + backward; TF.js is softmax(q·kᵀ)·v",
    ),
  vit_tiny_train_step: benchVit,
  demo_jepa_step: benchDemoStep,
};

// Keep the rows of workloads not run this time; write after each workload so an interrupted run keeps its data.
let previous: BenchRow[] = [];
try {
  previous = (JSON.parse(await Deno.readTextFile(opts.out!)) as BenchRow[]).filter((r) => r.values);
} catch {
  previous = [];
}
const results: BenchRow[] = [];
let merged: BenchRow[] = previous;
for (const name of WORKLOADS) {
  if (!selected.includes(name)) continue;
  progress(`${name}…`);
  results.push(await RUN[name]());
  merged = WORKLOADS.map((n) => results.find((r) => r.name === n) ?? previous.find((r) => r.name === n))
    .filter((r): r is BenchRow => r !== undefined);
  await Deno.writeTextFile(opts.out!, JSON.stringify(merged, null, 2) + "\n");
}

const cols: Contender[] = ["ours-wasm", "ours-webgpu", "tfjs-webgpu", "jaxjs-wasm"];
console.log(`\n${"workload".padEnd(28)}${cols.map((c) => c.padStart(18)).join("")}  unit     load`);
for (const r of merged) {
  const cells = cols.map((c) => {
    const v = r.values[c];
    const ratio = r.ratios[c];
    return (v === undefined ? "—" : `${v}${ratio ? ` (${ratio}×)` : ""}`).padStart(18);
  });
  console.log(`${r.name.padEnd(28)}${cells.join("")}  ${r.unit.padEnd(8)} ${r.loadAverage}`);
}
console.log(`(n×: ours-wasm is n times better than that contender) written to ${opts.out}`);
await backend().dispose();
Deno.exit(0);
