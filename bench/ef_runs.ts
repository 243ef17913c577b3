/**
 * The EF results of finished demo runs side by side, one row per run: each backbone's EF probe (chosen on
 * validation) and its test MAE and R², the training mean's MAE, and the two EF comparisons the verdicts make
 * (JEPA against the mean, JEPA against MAE under each probe; paired bootstraps, 95 %).
 *
 *   deno run -A bench/ef_runs.ts runs/demo-default runs/demo-default-seed1 …
 *
 * Prints a Markdown table (EF points).
 */

import type { DemoResults } from "../tools/demo/results.ts";

const runs: [string, DemoResults][] = [];
for (const dir of Deno.args) {
  const r = JSON.parse(await Deno.readTextFile(`${dir}/results.json`)) as DemoResults;
  if (!r.verdicts) throw new Error(`${dir}: the run has no verdicts yet (is it finished?)`);
  runs.push([dir, r]);
}
if (runs.length === 0) {
  console.error("usage: deno run -A bench/ef_runs.ts RUN_DIR…");
  Deno.exit(2);
}

const f = (v: number | undefined, d = 2) => (v === undefined ? "—" : v.toFixed(d));
const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(2)}`;
const interval = (c: { difference: number; low: number; high: number; better: string } | undefined) =>
  c ? `${signed(c.difference)} [${f(c.low)}, ${f(c.high)}]${c.better === "A" ? " **JEPA**" : ""}` : "—";

console.log(
  "| run | JEPA: probe, MAE (R²) | MAE | random inits | raw pixels | training mean | JEPA − mean | JEPA − MAE, linear | JEPA − MAE, attentive |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [dir, r] of runs) {
  const ef = r.ef;
  const cell = (b: keyof typeof ef) => (ef[b] ? `${f(ef[b]!.mae)} (${f(ef[b]!.r2)})` : "—");
  const randoms = (["random", "random-2", "random-3"] as const).map((b) => ef[b]?.mae).filter((v) =>
    v !== undefined
  );
  const j = ef.jepa!;
  const meanMae = j.target.reduce((s, t) => s + Math.abs(t - j.trainMean!), 0) / j.target.length;
  const find = (what: string) =>
    [...r.verdicts!.a.comparisons, ...r.verdicts!.c.comparisons].find((c) => c.what === what);
  const name = `${dir.replace(/^.*\//, "")} (${r.data.ef?.patients.train ?? "?"} EF training patients)`;
  console.log(
    `| ${name} | ${j.probe ?? "attentive"}, ${cell("jepa")} | ${cell("mae")} | ${
      randoms.length ? `${f(Math.min(...randoms))}–${f(Math.max(...randoms))}` : "—"
    } | ${cell("pixels")} | ${f(meanMae)} | ${interval(find("jepa vs mean predictor, EF MAE reduction"))} | ${
      interval(find("jepa vs mae, EF MAE reduction, linear"))
    } | ${interval(find("jepa vs mae, EF MAE reduction, attentive"))} |`,
  );
}
