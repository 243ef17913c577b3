/**
 * The report's verdicts: for each of the paper's claims, "reproduced", "not reproduced" or "inconclusive", from
 * paired bootstraps over the run's held-out phantom clips, with the numbers behind each verdict. A comparison
 * "A beats B" counts only when its 95 % interval excludes zero; a claim is reproduced when every comparison it
 * needs holds, not reproduced when any goes significantly the other way, and inconclusive otherwise.
 */

import { accuracyOn, FROZEN_PROBE_KINDS, pairedBootstrap } from "@echojepa/probe";
import type { Backbone, DemoResults } from "./results.ts";

/** The three verdicts. */
export type Verdict = "reproduced" | "not reproduced" | "inconclusive";

/** The paper's claims that the demo tests, by letter. */
export const CLAIMS = {
  a: "latent prediction (JEPA) beats pixel prediction (MAE)",
  b: "label efficiency: with few labels JEPA beats raw pixels, random inits and MAE",
  c: "robustness to depth attenuation and Gaussian shadows (JEPA degrades less than MAE)",
  d: "multi-view beats single view, and view dropout helps",
  e: "zero-shot paediatric transfer (JEPA's adult EF probe beats MAE's and the mean on children)",
  f: "views cluster in JEPA's embedding (more than in MAE's and a random init's)",
} as const;
/** A claim's letter. */
export type ClaimId = keyof typeof CLAIMS;

/** One paired comparison: A − B of a "higher is better" score with its interval. */
export interface Comparison {
  /** What is compared, e.g. "jepa vs mae, 1-shot, linear". */
  what: string;
  /** A − B (positive: A better), in `unit`. */
  difference: number;
  low: number;
  high: number;
  unit: string;
  /** "A" when the interval is above zero, "B" when below, "neither". */
  better: "A" | "B" | "neither";
}

/** A claim's verdict and what it rests on. */
export interface ClaimVerdict {
  claim: string;
  verdict: Verdict;
  /** One sentence with the statistic behind the verdict. */
  statistic: string;
  comparisons: Comparison[];
}

/** All claims' verdicts (`results.json` → `verdicts`). */
export type Verdicts = Record<ClaimId, ClaimVerdict>;

const RESAMPLES = 2000;

function compare(
  what: string,
  n: number,
  a: (idx: number[]) => number,
  b: (idx: number[]) => number,
  unit: string,
  seed: number,
): Comparison {
  const d = pairedBootstrap(n, a, b, { resamples: RESAMPLES, seed });
  const better = d.low > 0 ? "A" : d.high < 0 ? "B" : "neither";
  return { what, difference: d.value, low: d.low, high: d.high, unit, better };
}

const meanAbsError = (pred: number[], target: number[]) => (idx: number[]): number =>
  idx.reduce((s, i) => s + Math.abs(pred[i] - target[i]), 0) / idx.length;
const negate = (f: (idx: number[]) => number) => (idx: number[]): number => -f(idx);

const fmt = (c: Comparison): string =>
  `${c.what}: ${c.difference >= 0 ? "+" : ""}${c.difference.toFixed(2)} ${c.unit} [${c.low.toFixed(2)}, ${
    c.high.toFixed(2)
  }]`;

function verdictOf(comparisons: Comparison[], needed: Comparison[][]): Verdict {
  // A group (e.g. one budget's probes) holds when at least two thirds of it say A; fails when two thirds say B.
  const share = (g: Comparison[], side: "A" | "B") => g.filter((c) => c.better === side).length / g.length;
  if (comparisons.length === 0) return "inconclusive";
  if (needed.some((g) => share(g, "B") >= 2 / 3 - 1e-9)) return "not reproduced";
  if (needed.every((g) => share(g, "A") >= 2 / 3 - 1e-9)) return "reproduced";
  return "inconclusive";
}

/** View accuracy comparisons of `a` against `b` at one budget, one per probe both have. */
function viewComparisons(
  r: DemoResults,
  a: Backbone,
  b: Backbone,
  budget: string,
  seed: number,
): Comparison[] {
  const pa = r.probes?.[a]?.[budget];
  const pb = r.probes?.[b]?.[budget];
  if (!pa || !pb) return [];
  return FROZEN_PROBE_KINDS.flatMap((kind, k) => {
    const ca = pa[kind]?.correct;
    const cb = pb[kind]?.correct;
    if (!ca || !cb) return [];
    return [compare(
      `${a} vs ${b}, ${budget}, ${kind}`,
      ca.length,
      (idx) => 100 * accuracyOn(ca, idx),
      (idx) => 100 * accuracyOn(cb, idx),
      "pp",
      seed + k,
    )];
  });
}

function claim(id: ClaimId, groups: Comparison[][], summary: (v: Verdict) => string): ClaimVerdict {
  const missing = groups.filter((g) => g.length === 0).length;
  if (missing > 0 || groups.length === 0) {
    const what = groups.length === 0 ? "all" : `${missing} of ${groups.length}`;
    return {
      claim: CLAIMS[id],
      verdict: "inconclusive",
      statistic: `The results ${what} of its comparisons need are missing from this run.`,
      comparisons: groups.flat(),
    };
  }
  const verdict = verdictOf(groups.flat(), groups);
  return { claim: CLAIMS[id], verdict, statistic: summary(verdict), comparisons: groups.flat() };
}

function countSentence(groups: Comparison[][]): string {
  const g = groups.filter((x) => x.length > 0);
  const held = g.filter((x) => x.filter((c) => c.better === "A").length / x.length >= 2 / 3 - 1e-9).length;
  const failed = g.filter((x) => x.filter((c) => c.better === "B").length / x.length >= 2 / 3 - 1e-9).length;
  return `${held} of ${g.length} settings hold (≥ 2/3 of the probes' 95 % intervals above 0), ${failed} go the other way`;
}

/**
 * The budgets that are not another's draws under a new name: when 1 % of the labels is one clip per view, the
 * demo probes it once and records it under both names, and a verdict must not count that setting twice. (Every
 * backbone shares the draws, so JEPA's record tells.)
 */
export function distinctBudgets(r: DemoResults, budgets: string[]): string[] {
  const seen = new Set<string>();
  return budgets.filter((b) => {
    const record = r.probes?.jepa?.[b];
    if (!record) return true;
    const key = JSON.stringify(record);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The verdicts of a finished run (every backbone probed); `seed` seeds the bootstrap resamples. */
export function demoVerdicts(r: DemoResults, seed: number): Verdicts {
  const few = distinctBudgets(r, ["1-shot", "5-shot", "1%", "10%"]);
  // (a) JEPA vs MAE at every budget (view) and on EF (attentive and linear probes; the EF record's own metrics are
  // its validation-chosen probe's, the attentive probe's in older runs).
  const efGroup: Comparison[] = [];
  const ej = r.ef.jepa;
  const em = r.ef.mae;
  if (ej && em) {
    efGroup.push(compare(
      "jepa vs mae, EF MAE reduction, attentive",
      ej.target.length,
      negate(meanAbsError((ej.attentive ?? ej).predicted, ej.target)),
      negate(meanAbsError((em.attentive ?? em).predicted, em.target)),
      "EF points",
      seed + 10,
    ));
    if (ej.linear && em.linear) {
      efGroup.push(compare(
        "jepa vs mae, EF MAE reduction, linear",
        ej.target.length,
        negate(meanAbsError(ej.linear.predicted, ej.target)),
        negate(meanAbsError(em.linear.predicted, em.target)),
        "EF points",
        seed + 11,
      ));
    }
  }
  const aGroups = [...[...few, "100%"].map((b) => viewComparisons(r, "jepa", "mae", b, seed)), efGroup];
  const a = claim(
    "a",
    aGroups,
    () => `JEPA − MAE (view accuracy by budget, and EF error): ${countSentence(aGroups)}.`,
  );

  // (b) JEPA vs every control at k-shot and 1 %.
  const controls: Backbone[] = ["pixels", "random", "random-2", "random-3", "mae"];
  const bBudgets = distinctBudgets(r, ["1-shot", "5-shot", "1%"]);
  const bGroups = bBudgets.flatMap((budget) =>
    controls.map((c) => viewComparisons(r, "jepa", c, budget, seed + 20))
  );
  const b = claim(
    "b",
    bGroups,
    () =>
      `JEPA vs raw pixels, 3 random inits and MAE at ${bBudgets.join(", ")}${
        bBudgets.includes("1%") ? "" : " (1 % is the 1-shot draws here)"
      }: ${countSentence(bGroups)}.`,
  );

  // (c) Robustness: JEPA's average degradation below MAE's, meaningful only when both EF probes beat the mean (a
  // probe that predicts about the mean barely degrades, whatever its features).
  let c: ClaimVerdict;
  const rj = r.robustness.jepa;
  const rm = r.robustness.mae;
  const perturbed = (x: typeof rj) => x?.conditions.every((k) => k.predicted) ?? false;
  if (ej && em && rj && rm && perturbed(rj) && perturbed(rm) && ej.trainMean !== undefined) {
    const mean = ej.target.map(() => ej.trainMean!);
    const beatsMean = (name: "jepa" | "mae", e: typeof ej, s: number) =>
      compare(
        `${name} vs mean predictor, EF MAE reduction`,
        e.target.length,
        negate(meanAbsError(e.predicted, e.target)),
        negate(meanAbsError(mean, e.target)),
        "EF points",
        s,
      );
    const [jepaMean, maeMean] = [beatsMean("jepa", ej, seed + 30), beatsMean("mae", em, seed + 32)];
    const degradation = (e: typeof ej, rob: typeof rj) => (idx: number[]): number => {
      const clean = meanAbsError(e.predicted, e.target)(idx);
      const cond = rob!.conditions.map((k) => meanAbsError(k.predicted!, e.target)(idx));
      return ((cond.reduce((s, v) => s + v, 0) / cond.length - clean) / clean) * 100;
    };
    const less = compare(
      "jepa vs mae, average degradation avoided",
      ej.target.length,
      negate(degradation(ej, rj)),
      negate(degradation(em, rm)),
      "%",
      seed + 31,
    );
    const readable = jepaMean.better === "A" && maeMean.better === "A";
    const verdict: Verdict = !readable
      ? "inconclusive"
      : less.better === "A"
      ? "reproduced"
      : less.better === "B"
      ? "not reproduced"
      : "inconclusive";
    const probes = `EF probes: JEPA ${ej.probe ?? "attentive"}, MAE ${em.probe ?? "attentive"}`;
    const failing = [jepaMean, maeMean].filter((x) => x.better !== "A");
    c = {
      claim: CLAIMS.c,
      verdict,
      statistic: !readable
        ? `${probes}; ${
          failing.map((x) =>
            `${x.what.startsWith("jepa") ? "JEPA's" : "MAE's"} does not beat the mean (${fmt(x)})`
          )
            .join("; ")
        }, so the robustness comparison says nothing (average degradation JEPA ${
          rj.averageDegradation.toFixed(1)
        } % vs MAE ${rm.averageDegradation.toFixed(1)} %).`
        : `${probes}; both beat the mean (${fmt(jepaMean)}; ${fmt(maeMean)}). Average degradation JEPA ${
          rj.averageDegradation.toFixed(1)
        } % vs MAE ${rm.averageDegradation.toFixed(1)} %; ${fmt(less)}.`,
      comparisons: [jepaMean, maeMean, less],
    };
  } else {
    c = {
      claim: CLAIMS.c,
      verdict: "inconclusive",
      statistic: "Robustness results are missing.",
      comparisons: [],
    };
  }

  // (d) JEPA's multi-view probe vs its better single view, and vs no view dropout; meaningful only when the
  // multi-view probe beats predicting the training mean.
  const rv = r.rvsp.jepa;
  const dGroups: Comparison[][] = [[], []];
  let dPrecondition: Comparison | null = null;
  if (rv?.["multi-view"]?.predicted && rv["A4C only"]?.predicted && rv["Subcostal only"]?.predicted) {
    const t = rv["multi-view"].target!;
    const err = (v: keyof typeof rv) => meanAbsError(rv[v]!.predicted!, t);
    const single = rv["A4C only"].mae <= rv["Subcostal only"].mae ? "A4C only" : "Subcostal only";
    dGroups[0] = [compare(
      `multi-view vs ${single}, MAE reduction`,
      t.length,
      negate(err("multi-view")),
      negate(err(single)),
      "mmHg",
      seed + 40,
    )];
    if (rv["no view dropout"]?.predicted) {
      dGroups[1] = [compare(
        "multi-view vs no view dropout, MAE reduction",
        t.length,
        negate(err("multi-view")),
        negate(err("no view dropout")),
        "mmHg",
        seed + 41,
      )];
    }
    const m = rv["multi-view"].trainMean;
    if (m !== undefined) {
      dPrecondition = compare(
        "multi-view vs training mean, MAE reduction",
        t.length,
        negate(err("multi-view")),
        negate(meanAbsError(t.map(() => m), t)),
        "mmHg",
        seed + 42,
      );
    }
  }
  let d = claim("d", dGroups, () => `JEPA features: ${dGroups.flat().map(fmt).join("; ")}.`);
  if (dPrecondition && dPrecondition.better !== "A") {
    d = {
      ...d,
      verdict: "inconclusive",
      statistic: `JEPA's multi-view RVSP probe does not beat predicting the training mean (${
        fmt(dPrecondition)
      }), so its ablations say nothing; ${dGroups.flat().map(fmt).join("; ")}.`,
      comparisons: [dPrecondition, ...d.comparisons],
    };
  }

  // (e) Paediatric zero-shot: JEPA's adult EF probe on children vs MAE's and vs the adult mean.
  const pj = r.pediatric.jepa;
  const pm = r.pediatric.mae;
  const eGroups: Comparison[][] = [];
  if (pj?.predicted && pm?.predicted && ej?.trainMean !== undefined) {
    const t = pj.target!;
    const mean = t.map(() => ej.trainMean!);
    eGroups.push([
      compare(
        "jepa vs mae, paediatric MAE reduction",
        t.length,
        negate(meanAbsError(pj.predicted, t)),
        negate(meanAbsError(pm.predicted, t)),
        "EF points",
        seed + 50,
      ),
    ]);
    eGroups.push([
      compare(
        "jepa vs adult mean, paediatric MAE reduction",
        t.length,
        negate(meanAbsError(pj.predicted, t)),
        negate(meanAbsError(mean, t)),
        "EF points",
        seed + 51,
      ),
    ]);
  }
  const e = claim("e", eGroups, () => `${eGroups.flat().map(fmt).join("; ") || "no paediatric results"}.`);

  // (f) Views cluster: per-clip silhouette of the pooled standardised test embeddings.
  const sj = r.clusters?.jepa?.silhouette;
  const fGroups: Comparison[][] = [];
  // Raw pixels are left out: their mean token has no spatial layout left, so a low silhouette would say nothing.
  for (const other of ["mae", "random"] as Backbone[]) {
    const so = r.clusters?.[other]?.silhouette;
    if (!sj || !so) continue;
    const mean = (s: number[]) => (idx: number[]) => idx.reduce((acc, i) => acc + s[i], 0) / idx.length;
    fGroups.push([
      compare(`jepa vs ${other}, view silhouette`, sj.length, mean(sj), mean(so), "", seed + 60),
    ]);
  }
  const f = claim(
    "f",
    fGroups,
    () =>
      sj
        ? `JEPA's mean view silhouette ${(sj.reduce((acc, v) => acc + v, 0) / sj.length).toFixed(3)}; ${
          fGroups.flat().map(fmt).join("; ")
        }.`
        : "No per-clip view silhouettes in this run.",
  );
  return { a, b, c, d, e, f };
}
