/**
 * `deno task fuzz [--random N] [--seed S] [--timeout-ms T] [--memory-mb M]` — the reliability campaign: every
 * structural mutation (tools/lib/fuzz_inputs.ts) plus N random ones go through `openVideo` (decoding up to 4
 * frames) or the weights loader in a child process capped at M MB of V8 heap; a watchdog kills the child when one
 * input runs longer than T ms (a hang) and carries on with the next. Prints one JSON summary: inputs, outcomes by
 * kind, untyped errors, hangs, crashes, slowest input, seconds. Exits 1 when any input was untyped, hung or crashed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CliError, numberFlag, runCli } from "./lib/cli.ts";
import { openVideo, VideoError } from "@echojepa/video";
import { loadVit, WeightsError } from "@echojepa/vit";
import {
  fixtures,
  type FuzzInput,
  randomInput,
  structuralVideoInputs,
  structuralWeightsInputs,
} from "./lib/fuzz_inputs.ts";

/** The inputs of a campaign, in order. */
export function campaignInputs(randomCount: number, seed: number): FuzzInput[] {
  const all = fixtures();
  const inputs = [...structuralVideoInputs(), ...structuralWeightsInputs()];
  for (let i = 0; i < randomCount; i++) inputs.push(randomInput(seed, i, all));
  return inputs;
}

/** What one input gave: "valid", a typed error's kind, or "untyped: …". */
async function outcomeOf(input: FuzzInput): Promise<string> {
  try {
    if (input.target === "weights") {
      // Only the checks that run before a model is built are exercised (no GPU in the child).
      try {
        loadVit(input.bytes, undefined, { source: "fuzz" });
      } catch (e) {
        if (e instanceof WeightsError) return `weights ${e.kind}`;
        if (e instanceof Error && /^safetensors: /.test(e.message)) return "safetensors header";
        if (e instanceof Error && /WebGPU|adapter|init\(\)/i.test(e.message)) return "valid";
        throw e;
      }
      return "valid";
    }
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

/** Child mode: runs inputs [from, to) and prints `start i` before and `done i ms outcome` after each. */
async function worker(from: number, to: number, randomCount: number, seed: number): Promise<void> {
  const inputs = campaignInputs(randomCount, seed);
  for (let i = from; i < Math.min(to, inputs.length); i++) {
    console.log(`start ${i}`);
    const t0 = performance.now();
    const outcome = await outcomeOf(inputs[i]);
    console.log(`done ${i} ${(performance.now() - t0).toFixed(1)} ${outcome}`);
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
  /** Wall-clock seconds. */
  seconds: number;
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
  { randomCount = 0, seed = 1, timeoutMs = 10_000, memoryMb = 1536 } = {},
): Promise<CampaignSummary> {
  const inputs = campaignInputs(randomCount, seed);
  const summary: CampaignSummary = {
    inputs: inputs.length,
    outcomes: {},
    untyped: [],
    hangs: [],
    crashes: [],
    slowest: { what: "", ms: 0 },
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
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let current = -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hung = false;
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
    if (current >= 0) {
      (hung ? summary.hangs : summary.crashes).push(`${inputs[current].what} (exit ${status.code})`);
      next = current + 1;
    } else if (!status.success && next < inputs.length) {
      summary.crashes.push(`child exited ${status.code} between inputs`);
      next++;
    }
  }
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
      "memory-mb": { type: "string", default: "2048" },
    },
    allowPositionals: true,
  });
  if (values.worker) {
    const [from, to, randomCount, seed] = positionals.map(Number);
    await worker(from, to, randomCount, seed);
  } else {
    const summary = await runCampaign({
      randomCount: numberFlag("random", values.random, { integer: true, min: 0 })!,
      seed: numberFlag("seed", values.seed, { integer: true })!,
      timeoutMs: numberFlag("timeout-ms", values["timeout-ms"], { min: 1 })!,
      memoryMb: numberFlag("memory-mb", values["memory-mb"], { min: 1 })!,
    });
    console.log(JSON.stringify(summary, null, 1));
    if (summary.untyped.length || summary.hangs.length || summary.crashes.length) {
      throw new CliError("untyped errors, hangs or crashes (see the summary above)");
    }
  }
}

if (import.meta.main) await runCli("fuzz", main);
