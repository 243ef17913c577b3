/**
 * Claim (a) as an interaction across demo runs: the JEPA − MAE gap of each run's verdict (a) comparisons (paired
 * bootstraps over the run's test clips), one column per run, so a gap that grows with the phantom's speckle
 * strength shows along a row.
 *
 *   deno task demo --speckle 0; deno task demo; deno task demo --speckle 2
 *   deno run -A bench/speckle_gap.ts runs/demo-default-speckle0 runs/demo-default runs/demo-default-speckle2
 *
 * Prints a Markdown table: each comparison's difference and 95 % interval, in percentage points (view accuracy)
 * or EF points. Then the interaction itself, for every seed with runs at two or more strengths: per view
 * comparison, (JEPA − MAE at the highest strength) − (JEPA − MAE at the lowest), per seed and pooled over the
 * seeds, with a 95 % paired-bootstrap interval over the test clips (a seed's runs share their test patients, so a
 * clip is paired across its four scores). The pooled interval covers test clips and label draws, not the spread
 * of pretraining runs; the last column adds it: a two-level bootstrap that resamples the seeds, then each drawn
 * seed's clips (with three to five seeds this interval is wide, and it is the one that speaks for another seed).
 */

import { Random } from "@echojepa/core";
import { bootstrap } from "@echojepa/probe";
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

/** Per test clip: JEPA's share of correct draws minus MAE's, for one budget and probe. */
function clipGaps(
  r: DemoResults,
  budget: string,
  probe: "linear" | "knn" | "attentive",
): number[] | undefined {
  const j = r.probes?.jepa?.[budget]?.[probe]?.correct, m = r.probes?.mae?.[budget]?.[probe]?.correct;
  if (!j || !m) return undefined;
  return j.map((v, i) => v - m[i]);
}

const bySeed = new Map<number, DemoResults[]>();
for (const r of runs) bySeed.set(r.seed ?? 0, [...(bySeed.get(r.seed ?? 0) ?? []), r]);
const pairs = [...bySeed].flatMap(([seed, rs]) => {
  const sorted = [...rs].sort((a, b) => (a.speckle ?? 1) - (b.speckle ?? 1));
  const [low, high] = [sorted[0], sorted[sorted.length - 1]];
  if ((low.speckle ?? 1) === (high.speckle ?? 1)) return [];
  // Pairing clips needs the same test patients: the same seed and preset give them, and their EF labels show it.
  if (JSON.stringify(low.ef.jepa?.target) !== JSON.stringify(high.ef.jepa?.target)) {
    throw new Error(
      `seed ${seed}: the runs at speckle ${low.speckle} and ${high.speckle} have other test patients`,
    );
  }
  return [{ seed, low, high }];
});
/** Mean over seeds of each seed's mean clip difference (points), with a seeds-then-clips bootstrap interval. */
function twoLevel(perSeed: number[][]): string {
  const next = new Random(0).source();
  const meanOf = (d: number[], idx: number[]) => idx.reduce((s, i) => s + d[i], 0) / idx.length;
  const value = (100 * perSeed.reduce((s, d) => s + meanOf(d, d.map((_, i) => i)), 0)) / perSeed.length;
  const draws: number[] = [];
  for (let r = 0; r < 2000; r++) {
    let total = 0;
    for (let k = 0; k < perSeed.length; k++) {
      const d = perSeed[Math.floor(next() * perSeed.length)];
      total += meanOf(d, d.map(() => Math.floor(next() * d.length)));
    }
    draws.push((100 * total) / perSeed.length);
  }
  draws.sort((a, b) => a - b);
  const [low, high] = [draws[Math.floor(0.025 * draws.length)], draws[Math.floor(0.975 * draws.length)]];
  const mark = low > 0 ? " **grows**" : high < 0 ? " **shrinks**" : "";
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)} [${low.toFixed(1)}, ${high.toFixed(1)}]${mark}`;
}

if (pairs.length > 0) {
  const keys = [...rows.keys()].filter((k) => /^\d+-shot|^\d+%/.test(k));
  const interval = (d: number[]) => {
    const mean = (idx: number[]) => (100 * idx.reduce((s, i) => s + d[i], 0)) / idx.length;
    const ci = bootstrap(d.length, mean, { resamples: 2000, level: 0.95, seed: 0 });
    const sign = ci.value >= 0 ? "+" : "";
    const mark = ci.low > 0 ? " **grows**" : ci.high < 0 ? " **shrinks**" : "";
    return `${sign}${ci.value.toFixed(1)} [${ci.low.toFixed(1)}, ${ci.high.toFixed(1)}]${mark}`;
  };
  console.log(
    `\n| (JEPA − MAE) high − low speckle | ${
      pairs.map((p) => `seed ${p.seed}: ${p.low.speckle ?? 1} → ${p.high.speckle ?? 1}`).join(" | ")
    } | pooled over clips | over seeds and clips |`,
  );
  console.log(`| --- | ${pairs.map(() => "---").join(" | ")} | --- | --- |`);
  for (const key of keys) {
    const [budget, probe] = key.split(", ") as [string, "linear" | "knn" | "attentive"];
    const pooled: number[] = [], perSeed: number[][] = [];
    const cells = pairs.map(({ low, high }) => {
      const [a, b] = [clipGaps(high, budget, probe), clipGaps(low, budget, probe)];
      if (!a || !b || a.length !== b.length) return "—";
      const d = a.map((v, i) => v - b[i]);
      pooled.push(...d);
      perSeed.push(d);
      return interval(d);
    });
    const cell = (v: string | undefined) => v ?? "—";
    console.log(
      `| ${key} | ${cells.join(" | ")} | ${cell(pooled.length ? interval(pooled) : undefined)} | ${
        cell(perSeed.length > 1 ? twoLevel(perSeed) : undefined)
      } |`,
    );
  }
}
