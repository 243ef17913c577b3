import assert from "node:assert/strict";
import { BACKBONES, type DemoResults, type ViewProbes } from "./results.ts";
import { demoVerdicts } from "./verdicts.ts";

/** Probes whose per-clip correctness is `score(clip)` at every budget and probe. */
function probes(score: (clip: number) => number): ViewProbes {
  const out: ViewProbes = {};
  const trainClips: Record<string, number> = { "1-shot": 13, "5-shot": 65, "1%": 14, "10%": 55, "100%": 546 };
  for (const budget of ["1-shot", "5-shot", "1%", "10%", "100%"]) {
    out[budget] = {};
    for (const kind of ["attentive", "linear", "knn"] as const) {
      const correct = Array.from({ length: 120 }, (_, i) => score(i));
      const mean = (100 * correct.reduce((a, b) => a + b, 0)) / correct.length;
      out[budget][kind] = {
        accuracy: { mean, std: 0, runs: [mean] },
        correct,
        trainClips: trainClips[budget],
      };
    }
  }
  return out;
}

/** A run where only the view probes are filled in: JEPA scores `jepa`, every control `control`. */
function run(jepa: (clip: number) => number, control: (clip: number) => number): DemoResults {
  return {
    probes: Object.fromEntries(BACKBONES.map((b) => [b, probes(b === "jepa" ? jepa : control)])),
    ef: {},
    rvsp: {},
    pediatric: {},
    robustness: {},
  } as unknown as DemoResults;
}

const control = (i: number) => (i % 10 < 3 ? 1 : 0); // 30 % correct

Deno.test("demoVerdicts: label efficiency is reproduced, not reproduced or inconclusive as the intervals say", () => {
  const better = demoVerdicts(run((i) => (i % 10 < 8 ? 1 : 0), control), 1);
  assert.equal(better.b.verdict, "reproduced", better.b.statistic);
  assert.match(better.b.statistic, /15 of 15 settings hold/);
  assert.equal(better.b.comparisons.length, 45); // 3 budgets × 5 controls × 3 probes
  const worse = demoVerdicts(run((i) => (i % 10 < 1 ? 1 : 0), control), 1);
  assert.equal(worse.b.verdict, "not reproduced");
  const same = demoVerdicts(run(control, control), 1);
  assert.equal(same.b.verdict, "inconclusive");
  // When 1 % of the labels is the 1-shot draws, the demo records the same probes under both names: counted once.
  const shared = run((i) => (i % 10 < 8 ? 1 : 0), control);
  for (const p of Object.values(shared.probes!)) p!["1%"] = p!["1-shot"];
  const once = demoVerdicts(JSON.parse(JSON.stringify(shared)), 1);
  assert.match(
    once.b.statistic,
    /at 1-shot, 5-shot \(1 % is the 1-shot draws here\): 10 of 10 settings hold/,
  );
  assert.equal(once.b.comparisons.length, 30);
  // Claim (a) also needs EF; without it the verdict cannot be reached.
  assert.equal(better.a.verdict, "inconclusive");
  assert.match(better.a.statistic, /missing/);
});

Deno.test("demoVerdicts: a claim resting on probes that do not beat the mean predictor is inconclusive", () => {
  const r = run(control, control);
  const target = Array.from({ length: 40 }, (_, i) => 40 + (i % 20));
  const mean = target.reduce((a, b) => a + b, 0) / target.length;
  const flat = target.map(() => mean + 0.5);
  r.rvsp.jepa = Object.fromEntries(
    ["multi-view", "no view dropout", "A4C only", "Subcostal only"].map((v) => [
      v,
      {
        mae: 5,
        r2: 0,
        target,
        predicted: v === "multi-view" ? flat : flat.map((p) => p + 3),
        trainMean: mean,
      },
    ]),
  );
  const v = demoVerdicts(r, 1);
  assert.equal(v.d.verdict, "inconclusive");
  assert.match(v.d.statistic, /does not beat predicting the training mean/);
  for (const id of ["c", "e", "f"] as const) assert.equal(v[id].verdict, "inconclusive");
});

Deno.test("demoVerdicts: robustness is judged only when both EF probes beat the mean predictor", () => {
  const target = Array.from({ length: 60 }, (_, i) => 30 + (i % 30));
  const mean = target.reduce((a, b) => a + b, 0) / target.length;
  const near = target.map((t, i) => t + (i % 2 ? 1 : -1)); // 1 point off every clip
  const ef = (predicted: number[]) => ({
    mae: 1,
    maeLow: 0,
    maeHigh: 2,
    rmse: 1,
    r2: 0,
    pearson: 0,
    auroc50: 0.5,
    auroc40: 0.5,
    target,
    predicted,
    trainMean: mean,
    probe: "linear" as const,
  });
  const robustness = (shift: number) => ({
    clean: 1,
    averageDegradation: shift * 100,
    conditions: Array.from({ length: 6 }, (_, k) => ({
      name: `c${k}`,
      mae: 1 + shift,
      predicted: near.map((p, i) => p + (i % 2 ? shift : -shift)),
    })),
  });
  const r = run(control, control);
  r.ef.jepa = ef(near);
  r.robustness.jepa = robustness(0.5); // +50 % error under every condition
  r.robustness.mae = robustness(0); // a probe that predicts the mean does not degrade
  r.ef.mae = ef(target.map(() => mean));
  const flat = demoVerdicts(r, 1);
  assert.equal(flat.c.verdict, "inconclusive", flat.c.statistic);
  assert.match(flat.c.statistic, /MAE's does not beat the mean/);
  // Both probes read EF and MAE's degrades more: JEPA's robustness is reproduced.
  r.ef.mae = ef(near);
  r.robustness.mae = robustness(3);
  const both = demoVerdicts(r, 1);
  assert.equal(both.c.verdict, "reproduced", both.c.statistic);
  assert.match(both.c.statistic, /both beat the mean/);
});
