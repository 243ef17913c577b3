/**
 * Claim (a) as an interaction across demo runs: the JEPA − MAE gap of each run's verdict (a) comparisons (paired
 * bootstraps over the run's test clips), one column per run, so a gap that grows with the phantom's speckle
 * strength shows along a row.
 *
 *   deno task demo --speckle 0; deno task demo; deno task demo --speckle 2
 *   deno run -A bench/speckle_gap.ts runs/demo-default-speckle0 runs/demo-default runs/demo-default-speckle2
 *
 * Prints a Markdown table: each comparison's difference and 95 % interval, in percentage points (view accuracy)
 * or EF points.
 */

import type { DemoResults } from "../tools/demo/results.ts";

const runs: DemoResults[] = [];
for (const dir of Deno.args) {
  const r = JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) as DemoResults;
  if (!r.verdicts) throw new Error(`${dir}: the run has no verdicts yet (is it finished?)`);
  runs.push(r);
}
if (runs.length === 0) {
  console.error("usage: deno run -A bench/speckle_gap.ts RUN_DIR…");
  Deno.exit(2);
}
// A budget recorded under two names (1 % = the 1-shot draws) is one comparison: the verdicts count it once.
const rows = new Map<string, string[]>();
runs.forEach((r, i) => {
  for (const c of r.verdicts!.a.comparisons) {
    const key = c.what.replace(/^jepa vs mae, /, "");
    const cell = `${c.difference >= 0 ? "+" : ""}${c.difference.toFixed(1)} [${c.low.toFixed(1)}, ${
      c.high.toFixed(1)
    }]${c.better === "A" ? " **JEPA**" : c.better === "B" ? " **MAE**" : ""}`;
    const row = rows.get(key) ?? runs.map(() => "—");
    row[i] = cell;
    rows.set(key, row);
  }
});
const head = runs.map((r) => `speckle ${r.speckle ?? 1}, seed ${r.seed ?? 0}: ${r.verdicts!.a.verdict}`);
console.log(`| JEPA − MAE | ${head.join(" | ")} |`);
console.log(`| --- | ${head.map(() => "---").join(" | ")} |`);
for (const [key, cells] of rows) console.log(`| ${key} | ${cells.join(" | ")} |`);
