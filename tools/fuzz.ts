/**
 * `deno task fuzz [--random N] [--seed S] [--timeout-ms T] [--memory-mb M] [--rss-mb R] [--only TARGET]` — the
 * reliability campaign: every structural mutation (tools/lib/fuzz_inputs.ts, tools/lib/fuzz_torch_inputs.ts) plus
 * N random video and N/3 random `.pt` ones go through `openVideo` (decoding up to 4 frames), the safetensors
 * loader, or the PyTorch reader (every tensor read to the host) and loadVit, in a child process capped at M MiB of
 * V8 heap and R MiB resident (polled; the child is killed past it); a watchdog kills the child when one input runs
 * longer than T ms (a hang) and carries on with the next. Prints one JSON summary: inputs, outcomes by kind,
 * untyped errors, hangs, crashes, inputs over the memory cap, peak resident memory, slowest input, seconds. Exits
 * 1 when any input was untyped, hung, crashed or went over the cap.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CliError, numberFlag, runCli } from "./lib/cli.ts";
import { openVideo, VideoError } from "@echojepa/video";
import { TorchCheckpoint, TorchCheckpointError } from "@echojepa/tensor";
import { loadVit, vitConfig, WeightsError } from "@echojepa/vit";
import {
  fixtures,
  type FuzzInput,
  randomInput,
  structuralVideoInputs,
  structuralWeightsInputs,
} from "./lib/fuzz_inputs.ts";
import {
  randomTorchInput,
  structuralTorchInputs,
  TINY_PT_CONFIG,
  type TorchFuzzInput,
} from "./lib/fuzz_torch_inputs.ts";

/** One input of a campaign: a video or safetensors file, or a PyTorch `.pt` file. */
export type CampaignInput = FuzzInput | TorchFuzzInput;

/**
 * The inputs of a campaign, in order: the structural video, safetensors and `.pt` mutations, `randomCount`
 * random video mutations, and a third as many random `.pt` mutations.
 */
export function campaignInputs(randomCount: number, seed: number, only?: string): CampaignInput[] {
  const all = fixtures();
  const inputs: CampaignInput[] = [
    ...structuralVideoInputs(),
    ...structuralWeightsInputs(),
    ...structuralTorchInputs(),
  ];
  for (let i = 0; i < randomCount; i++) inputs.push(randomInput(seed, i, all));
  for (let i = 0; i < Math.ceil(randomCount / 3); i++) inputs.push(randomTorchInput(seed, i));
  return only ? inputs.filter((x) => x.target === only) : inputs;
}

/** What loadVit (the checks before a model is built: no GPU in the child) made of a weights file. */
function vitOutcome(bytes: Uint8Array, config?: Parameters<typeof loadVit>[1]): string {
  try {
    loadVit(bytes, config, { source: "fuzz" });
  } catch (e) {
    if (e instanceof WeightsError) return `weights ${e.kind}`;
    if (e instanceof TorchCheckpointError) return `pt ${e.kind}`;
    if (e instanceof Error && /^safetensors: /.test(e.message)) return "safetensors header";
    if (e instanceof Error && /WebGPU|adapter|init\(\)/i.test(e.message)) return "valid";
    throw e;
  }
  return "valid";
}

/**
 * A `.pt` input: opened and every tensor read to the host (the data path loadVit skips when the shapes are
 * refused), then given to loadVit with the configuration its tensors should fit (so checkVitWeights runs).
 */
function torchOutcome(bytes: Uint8Array): string {
  let read = "readable";
  try {
    const ckpt = TorchCheckpoint.open(bytes);
    try {
      ckpt.readTensors(ckpt.tensors());
    } finally {
      ckpt.close();
    }
  } catch (e) {
    if (!(e instanceof TorchCheckpointError)) throw e;
    read = e.kind;
  }
  const vit = vitOutcome(bytes, vitConfig(TINY_PT_CONFIG));
  return vit === `pt ${read}` ? vit : `pt ${read}; vit ${vit}`;
}

/** What one input gave: "valid", a typed error's kind, or "untyped: …". */
async function outcomeOf(input: CampaignInput): Promise<string> {
  try {
    if (input.target === "weights") return vitOutcome(input.bytes);
    if (input.target === "torch") return torchOutcome(input.bytes);
    const video = await openVideo(input.bytes, { label: "fuzz" });
    try {
      for (let i = 0; i < Math.min(video.frameCount, 4); i++) await video.readFrame(i);
    } finally {
      video.close();
    }
    return "valid";
  } catch (e) {
    if (e instanceof VideoError) return e.kind;
    return `untyped: ${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 120)}`;
  }
}

/**
 * A process's peak resident set in MiB so far (`VmHWM` of `/proc/<pid>/status`), or its current one with
 * `field` "VmRSS"; undefined where /proc is not there (not Linux) or the process is gone.
 */
export function residentMiB(pid: number | "self" = "self", field = "VmHWM"): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Child mode: runs inputs [from, to) and prints `start i` before and `done i ms peakMiB outcome` after each (the
 * child's peak resident memory so far, so the parent learns which input raised it).
 */
async function worker(
  from: number,
  to: number,
  randomCount: number,
  seed: number,
  only?: string,
): Promise<void> {
  const inputs = campaignInputs(randomCount, seed, only);
  for (let i = from; i < Math.min(to, inputs.length); i++) {
    console.log(`start ${i}`);
    const t0 = performance.now();
    const outcome = await outcomeOf(inputs[i]);
    const peak = residentMiB() ?? Deno.memoryUsage().rss / 2 ** 20;
    console.log(`done ${i} ${(performance.now() - t0).toFixed(1)} ${peak.toFixed(0)} ${outcome}`);
  }
}

/** A campaign's figures. */
export interface CampaignSummary {
  /** Inputs run. */
  inputs: number;
  /** Outcomes by kind ("valid", "corrupt", "too-large", "weights mismatch", …). */
  outcomes: Record<string, number>;
  /** Inputs that threw something other than a typed error. */
  untyped: string[];
  /** Inputs that ran past the per-input limit. */
  hangs: string[];
  /** Inputs during which the child died (e.g. past the memory cap). */
  crashes: string[];
  /** Slowest input and its milliseconds. */
  slowest: { what: string; ms: number };
  /** Inputs during which a child's resident memory passed the cap (the child was killed). */
  overMemory: string[];
  /** Highest peak resident memory (VmHWM) of any child, MiB, and the parent's own. */
  peakRssMiB: { child: number; parent: number };
  /** Wall-clock seconds. */
  seconds: number;
}

/** Options of {@link runCampaign}. */
export interface CampaignOptions {
  /** Random inputs (default 0; a third as many random `.pt` ones are added). */
  randomCount?: number;
  /** Seed of the random inputs. */
  seed?: number;
  /** Per-input limit: a child still on one input after this long is killed and the input counted a hang. */
  timeoutMs?: number;
  /** The children's V8 heap cap (`--max-old-space-size`), MiB. */
  memoryMb?: number;
  /**
   * Resident memory cap, MiB: the parent polls each child's VmRSS every 25 ms and kills it past this (array
   * buffers live outside the V8 heap, so the heap cap alone does not bound a process).
   */
  rssMb?: number;
  /** Only inputs of this target ("video", "weights" or "torch"). */
  only?: string;
  /** Only the first this many inputs (after `only`). */
  count?: number;
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/** Runs a campaign in capped child processes with a per-input watchdog. */
export async function runCampaign(
  { randomCount = 0, seed = 1, timeoutMs = 10_000, memoryMb = 1536, rssMb = 2048, only, count }:
    CampaignOptions = {},
): Promise<CampaignSummary> {
  const inputs = campaignInputs(randomCount, seed, only).slice(0, count);
  const summary: CampaignSummary = {
    inputs: inputs.length,
    outcomes: {},
    untyped: [],
    hangs: [],
    crashes: [],
    slowest: { what: "", ms: 0 },
    overMemory: [],
    peakRssMiB: { child: 0, parent: 0 },
    seconds: 0,
  };
  const t0 = performance.now();
  let next = 0;
  while (next < inputs.length) {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-run",
        `--v8-flags=--max-old-space-size=${memoryMb}`,
        new URL(import.meta.url).pathname,
        "--worker",
        String(next),
        String(inputs.length),
        String(randomCount),
        String(seed),
        ...(only ? [only] : []),
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let current = -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hung = false;
    let overMemory = false;
    const rssPoll = setInterval(() => {
      const rss = residentMiB(child.pid, "VmRSS");
      if (rss === undefined) return;
      summary.peakRssMiB.child = Math.max(summary.peakRssMiB.child, Math.round(rss));
      if (rss > rssMb && !overMemory) {
        overMemory = true;
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }
    }, 25);
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = true;
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }, timeoutMs);
    };
    arm();
    for await (const line of readLines(child.stdout)) {
      const [tag, index, ms, ...rest] = line.split(" ");
      const peak = tag === "done" ? Number(rest.shift()) : 0;
      if (peak > summary.peakRssMiB.child) summary.peakRssMiB.child = peak;
      if (tag === "start") {
        current = Number(index);
        arm();
      } else if (tag === "done") {
        const outcome = rest.join(" ");
        const what = inputs[Number(index)].what;
        if (outcome.startsWith("untyped")) summary.untyped.push(`${what}: ${outcome}`);
        else summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
        if (Number(ms) > summary.slowest.ms) summary.slowest = { what, ms: Number(ms) };
        next = Number(index) + 1;
        current = -1;
      }
    }
    const status = await child.status;
    clearTimeout(timer);
    clearInterval(rssPoll);
    if (overMemory && current < 0) {
      // Past the cap before its first input started: the child alone is too big for the cap.
      summary.overMemory.push(`child start, before ${inputs[next].what} (exit ${status.code})`);
      next++;
    } else if (current >= 0) {
      const list = overMemory ? summary.overMemory : hung ? summary.hangs : summary.crashes;
      list.push(`${inputs[current].what} (exit ${status.code})`);
      next = current + 1;
    } else if (!status.success && next < inputs.length) {
      summary.crashes.push(`child exited ${status.code} between inputs`);
      next++;
    }
  }
  summary.peakRssMiB.parent = Math.round(residentMiB() ?? Deno.memoryUsage().rss / 2 ** 20);
  summary.seconds = Math.round((performance.now() - t0) / 100) / 10;
  return summary;
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      worker: { type: "boolean" },
      random: { type: "string", default: "3000" },
      seed: { type: "string", default: "1" },
      "timeout-ms": { type: "string", default: "10000" },
      "memory-mb": { type: "string", default: "1536" },
      "rss-mb": { type: "string", default: "2048" },
      only: { type: "string" },
    },
    allowPositionals: true,
  });
  if (values.worker) {
    const [from, to, randomCount, seed] = positionals.slice(0, 4).map(Number);
    await worker(from, to, randomCount, seed, positionals[4]);
  } else {
    const summary = await runCampaign({
      randomCount: numberFlag("random", values.random, { integer: true, min: 0 })!,
      seed: numberFlag("seed", values.seed, { integer: true })!,
      timeoutMs: numberFlag("timeout-ms", values["timeout-ms"], { min: 1 })!,
      memoryMb: numberFlag("memory-mb", values["memory-mb"], { min: 1 })!,
      rssMb: numberFlag("rss-mb", values["rss-mb"], { min: 1 })!,
      only: values.only,
    });
    console.log(JSON.stringify(summary, null, 1));
    if (
      summary.untyped.length || summary.hangs.length || summary.crashes.length || summary.overMemory.length
    ) {
      throw new CliError(
        "untyped errors, hangs, crashes or inputs over the memory cap (see the summary above)",
      );
    }
  }
}

if (import.meta.main) await runCli("fuzz", main);
