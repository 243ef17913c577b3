/**
 * Augmentation throughput: clips per second for 16×224×224 model inputs from 320×240 clips, with 1 and 2 worker
 * threads, for grey and RGB inputs, training (random resized crop) and evaluation transforms.
 *
 *     deno run -A packages/augment/bench/throughput.ts [--seconds 3] [--workers 1,2]
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { AugmentPool } from "../pool.ts";
import { syntheticEchoClip } from "./synthetic_clip.ts";
import type { WorkRequest } from "./throughput_worker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "3" }, workers: { type: "string", default: "1,2" } },
});
const seconds = Number(values.seconds);
const workerCounts = values.workers.split(",").map(Number);

/** Clips/s summed over workers (wall clock) and CPU milliseconds per clip (all threads of the process). */
async function measure(
  request: Omit<WorkRequest, "seed">,
  workers: number,
): Promise<{ rate: number; cpuMsPerClip: number }> {
  const url = new URL("./throughput_worker.ts", import.meta.url);
  const pool = Array.from({ length: workers }, () => new Worker(url, { type: "module" }));
  const cpuBefore = cpuUsage();
  const results = await Promise.all(
    pool.map((worker, i) =>
      new Promise<{ clips: number; ms: number }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(e.error ?? new Error(e.message));
        worker.postMessage({ ...request, seed: i });
      })
    ),
  );
  const cpu = cpuUsage(cpuBefore);
  pool.forEach((w) => w.terminate());
  const clips = results.reduce((sum, r) => sum + r.clips, 0);
  return {
    rate: results.reduce((sum, r) => sum + (r.clips / r.ms) * 1000, 0),
    // Includes each worker's start-up and warm-up, so it slightly overstates the steady-state cost.
    cpuMsPerClip: (cpu.user + cpu.system) / 1000 / clips,
  };
}

console.log(`augment throughput, 16×240×320 uint8 → [3, 16, 224, 224] float32, ${seconds} s per cell`);
const load = await Deno.readTextFile("/proc/loadavg").then((t) => t.split(" ")[0]).catch(() => "n/a");
console.log(
  `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} logical CPUs, load average ${load} at start`,
);
console.log("| transform | input | workers | clips/s (wall) | CPU ms per clip |");
console.log("|---|---|---|---|---|");
for (const transform of ["train", "eval"] as const) {
  for (const channels of [1, 3] as const) {
    for (const workers of workerCounts) {
      const { rate, cpuMsPerClip } = await measure(
        { transform, channels, frames: 16, height: 240, width: 320, cropSize: 224, seconds },
        workers,
      );
      const input = channels === 1 ? "grey" : "RGB";
      console.log(
        `| ${transform} | ${input} | ${workers} | ${rate.toFixed(1)} | ${cpuMsPerClip.toFixed(1)} |`,
      );
    }
  }
}

// End to end through AugmentPool: the clip is copied to a worker and the result transferred back, with up to
// 2·workers jobs in flight, as a data loader would use it.
console.log("");
console.log("| AugmentPool, train | input | workers | clips/s (wall) |");
console.log("|---|---|---|---|");
for (const channels of [1, 3] as const) {
  for (const workers of workerCounts) {
    const pool = new AugmentPool(workers);
    const clip = syntheticEchoClip(16, 240, 320, channels);
    const warm = Array.from(
      { length: 4 * workers },
      (_, i) => pool.run({ kind: "train", clip, seed: ["warm", i] }),
    );
    await Promise.all(warm);
    let done = 0;
    let next = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    const lane = async (): Promise<void> => {
      while (performance.now() < end) {
        await pool.run({ kind: "train", clip, seed: ["bench", next++] });
        done++;
      }
    };
    await Promise.all(Array.from({ length: 2 * workers }, lane));
    const rate = (done / (performance.now() - start)) * 1000;
    pool.close();
    console.log(`| train | ${channels === 1 ? "grey" : "RGB"} | ${workers} | ${rate.toFixed(1)} |`);
  }
}
