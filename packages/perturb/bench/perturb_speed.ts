/**
 * Perturbation speed: milliseconds per EchoNet-sized clip (112×112 grey, 128 frames by default) for each
 * condition, with and without a sector.
 *
 *     deno run -A packages/perturb/bench/perturb_speed.ts [--frames 128] [--repeats 3]
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { CONDITIONS, perturbClip, type SectorGeometry } from "../mod.ts";
import { makeClip } from "@echojepa/core";

const { values } = parseArgs({
  args: Deno.args,
  options: { frames: { type: "string", default: "128" }, repeats: { type: "string", default: "3" } },
});
const frames = Number(values.frames);
const repeats = Number(values.repeats);
const size = 112;
const data = Uint8Array.from({ length: frames * size * size }, (_, i) => (i * 2654435761) % 200 + 20);
const clip = makeClip(data, [frames, size, size]);
const sector: SectorGeometry = { apexX: 56, apexY: -4, angleStart: -0.7, angleEnd: 0.7, radius: 114 };

const load = await Deno.readTextFile("/proc/loadavg").then((t) => t.split(" ")[0]).catch(() => "n/a");
console.log(`perturb speed, ${frames}×${size}×${size} uint8 clip, ${repeats} repeats, load average ${load}`);
console.log("| condition | CPU ms per clip (image coords) | CPU ms per clip (sector) |");
console.log("|---|---|---|");
for (const { id } of CONDITIONS) {
  const cells: string[] = [];
  for (const geometry of [undefined, sector]) {
    perturbClip(clip, id, { clipId: "warm-up", sector: geometry });
    const before = cpuUsage();
    for (let r = 0; r < repeats; r++) perturbClip(clip, id, { clipId: `clip-${r}`, sector: geometry });
    const used = cpuUsage(before);
    cells.push(((used.user + used.system) / 1000 / repeats).toFixed(0));
  }
  console.log(`| ${id} | ${cells[0]} | ${cells[1]} |`);
}
