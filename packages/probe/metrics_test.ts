import assert from "node:assert/strict";
import {
  argmaxRows,
  auroc,
  aurocBelow,
  bootstrap,
  classificationMetrics,
  meanStd,
  regressionMetrics,
} from "./metrics.ts";

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

Deno.test("classification metrics on a hand-counted example", () => {
  const m = classificationMetrics([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 4);
  close(m.accuracy, 4 / 6);
  assert.deepEqual(m.confusion[2], [0, 1, 2, 0]);
  close(m.perClassAccuracy[0], 0.5);
  close(m.perClassAccuracy[2], 2 / 3);
  assert.ok(Number.isNaN(m.perClassAccuracy[3]));
  close(m.balancedAccuracy, (0.5 + 1 + 2 / 3) / 3);
  assert.throws(() => classificationMetrics([5], [0], 4), /outside 0…3/);
});

Deno.test("argmaxRows picks the first maximum", () => {
  assert.deepEqual(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0], 3), [1, 0]);
});

Deno.test("regression metrics match sklearn-style definitions", () => {
  const y = [1, 2, 3, 4];
  const p = [1.5, 2, 2.5, 5];
  const m = regressionMetrics(p, y);
  close(m.mae, 0.5);
  close(m.rmse, Math.sqrt((0.25 + 0 + 0.25 + 1) / 4));
  close(m.r2, 1 - 1.5 / 5);
  // Pearson by hand: mean p = 2.75.
  const dp = p.map((v) => v - 2.75);
  const dy = y.map((v) => v - 2.5);
  const r = dp.reduce((s, v, i) => s + v * dy[i], 0) /
    Math.sqrt(dp.reduce((s, v) => s + v * v, 0) * dy.reduce((s, v) => s + v * v, 0));
  close(m.pearson, r);
});

Deno.test("AUROC: perfect, reversed, ties and the EF-below-threshold form", () => {
  close(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
  close(auroc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
  close(auroc([0.5, 0.5], [false, true]), 0.5);
  // One positive ranked below one of two negatives: 1 of 2 pairs correct.
  close(auroc([0.3, 0.1, 0.2], [false, false, true]), 0.5);
  close(aurocBelow([30, 35, 60, 65], [32, 45, 58, 70], 50), 1);
  assert.ok(Number.isNaN(auroc([1, 2], [true, true])));
});

Deno.test("bootstrap interval brackets the estimate and is seeded", () => {
  const y = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10);
  const p = y.map((v, i) => v + Math.cos(i * 7));
  const mae = (idx: number[]): number => idx.reduce((s, i) => s + Math.abs(p[i] - y[i]), 0) / idx.length;
  const a = bootstrap(200, mae, { resamples: 300, seed: 5 });
  const b = bootstrap(200, mae, { resamples: 300, seed: 5 });
  assert.deepEqual(a, b);
  assert.ok(a.low < a.value && a.value < a.high);
});

Deno.test("meanStd uses the sample standard deviation", () => {
  const r = meanStd([1, 2, 3]);
  close(r.mean, 2);
  close(r.std, 1);
});
