/**
 * What a clip view costs: the augment and perturb kernels on a whole clip, on views of it (a crop, a frame
 * range) and on the same views copied first, one thread, median of the timed runs. A view should cost no more
 * than its copy plus nothing: the resampler reads crops through their strides, and `rowMajorData` hands a
 * contiguous view (a frame range) to the perturbations without copying.
 *
 *     deno run -A bench/clip_views.ts [--reps 15]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { trainTransform } from "@echojepa/augment";
import { type Clip, makeClip, Random, rowMajorData } from "@echojepa/core";
import { perturbClip } from "@echojepa/perturb";
import { syntheticEchoClip } from "../packages/augment/bench/synthetic_clip.ts";
import { timeRuns } from "./timing.ts";

const { values } = parseArgs({ args: Deno.args, options: { reps: { type: "string", default: "15" } } });
const reps = Number(values.reps);

/** Median wall time of `run`, ms, after two untimed runs. */
async function time(run: () => void): Promise<number> {
  return (await timeRuns(() => Promise.resolve(run()), 2, reps, "clip views")).medianMs;
}

/** The view copied to a fresh row-major clip. */
function copyOf(view: Clip): Clip {
  return makeClip(rowMajorData(view), view.shape);
}

/** Times `run` and prints its table row. */
async function row(kernel: string, input: string, run: () => void): Promise<void> {
  console.log(`| ${kernel} | ${input} | ${(await time(run)).toFixed(2)} |`);
}

const load = await Deno.readTextFile("/proc/loadavg").then((t) => t.split(" ")[0]).catch(() => "n/a");
console.log(`clip views, deno ${Deno.version.deno}, load average ${load} at start, median of ${reps} runs`);
console.log("| kernel | input | ms |");
console.log("|---|---|---|");
for (const channels of [1, 3] as const) {
  const clip = syntheticEchoClip(16, 240, 320, channels);
  const crop = clip.lo(0, 8, 8).hi(16, 224, 304); // a strided view
  const input = channels === 1 ? "grey" : "RGB";
  const train = (c: Clip) => void trainTransform(c, Random.from(1), { cropSize: 224 });
  await row("trainTransform", `${input} 16×240×320, whole clip`, () => train(clip));
  await row("trainTransform", `${input} 224×304 crop view`, () => train(crop));
  await row("trainTransform", `${input} same crop, copied first`, () => train(copyOf(crop)));
}
const echo = syntheticEchoClip(128, 112, 112, 1);
const frames = echo.lo(32).hi(64); // frames 32–95: a contiguous view
const perturb = (c: Clip) => void perturbClip(c, "depth-attenuation-high", { clipId: "bench", seed: 0 });
await row("perturb depth-attenuation", "128×112×112 grey, whole clip", () => perturb(echo));
await row("perturb depth-attenuation", "frames 32–95 view", () => perturb(frames));
await row("perturb depth-attenuation", "frames 32–95 copied first", () => perturb(copyOf(frames)));
