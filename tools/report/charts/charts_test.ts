import assert from "node:assert/strict";
import { fakePartialRun, fakeRun } from "../fixture.ts";
import { normalizeResults } from "../run_data.ts";
import { attentionFigure, relativeEntropy } from "./attention.ts";
import { confusionFigure } from "./confusion.ts";
import { efScatterFigure, isNearlyConstant } from "./ef_scatter.ts";
import { examplesFigure } from "./examples.ts";
import { learningCurveFigure } from "./learning_curve.ts";
import { lossFigure } from "./loss.ts";
import { umap2d, umapFigure } from "./umap.ts";

Deno.test("the UMAP layout is the same for the same seed", () => {
  const features = fakeRun().embeddings.jepa!.features.slice(0, 30);
  assert.deepEqual(umap2d(features, 3), umap2d(features, 3));
});

Deno.test("the UMAP figure has one panel per backbone with embeddings, or says none were written", async () => {
  const run = fakeRun();
  const figure = await umapFigure({ jepa: run.embeddings.jepa, mae: run.embeddings.mae }, ["A4C"], {
    maxPoints: 40,
  });
  assert.match(figure.svg!, /JEPA/);
  assert.match(figure.svg!, /MAE/);
  assert.doesNotMatch(figure.svg!, /random init/);
  assert.match(figure.caption, /40 test clips per backbone/);
  assert.equal((await umapFigure({})).missing, "No embeddings written yet.");
});

Deno.test("the loss figure summarises the curves and drops absent objectives", async () => {
  const partial = await lossFigure(normalizeResults(fakePartialRun().results));
  assert.match(partial.caption, /^JEPA loss [\d.]+ → [\d.]+ over 400 steps; target-embedding std ended at/);
  assert.doesNotMatch(partial.caption, /MAE loss/);
  assert.ok((await lossFigure(normalizeResults({}))).missing);
});

Deno.test("the learning curve reads both objectives' checkpoints, or says none were kept", async () => {
  const figure = await learningCurveFigure(normalizeResults(fakeRun().results));
  assert.match(
    figure.caption,
    /^JEPA 5-shot linear 30\.0 % at init → 42\.0 % after 400 steps \(best 42\.0 %\); MAE/,
  );
  assert.match(figure.svg!, /pretraining step/);
  const partial = await learningCurveFigure(normalizeResults(fakePartialRun().results));
  assert.doesNotMatch(partial.caption, /MAE/);
  assert.ok((await learningCurveFigure(normalizeResults({}))).missing);
});

Deno.test("the EF scatter titles each panel with its metrics", async () => {
  const results = normalizeResults(fakeRun().results);
  const figure = await efScatterFigure(results);
  assert.match(figure.svg!, new RegExp(`MAE ${results.ef.jepa!.mae.toFixed(2)}`));
  assert.ok((await efScatterFigure(normalizeResults({}))).missing);
});

Deno.test("the perturbation grid embeds one image per condition and frame", () => {
  const { examples } = fakeRun();
  const figure = examplesFigure(examples, { framesShown: 3 });
  assert.equal((figure.svg!.match(/<image /g) ?? []).length, (examples.conditions.length + 1) * 3);
  assert.match(figure.svg!, />DA med</);
  assert.ok(examplesFigure(undefined).missing);
});

Deno.test("the EF scatter caption flags a probe that only predicts the mean", async () => {
  assert.equal(isNearlyConstant([55, 55.1, 54.9], [30, 50, 70]), true);
  assert.equal(isNearlyConstant([35, 50, 65], [30, 50, 70]), false);
  const results = normalizeResults(fakeRun().results);
  assert.doesNotMatch((await efScatterFigure(results)).caption, /barely vary/);
  results.ef.mae!.predicted = results.ef.mae!.target.map(() => 55);
  assert.match((await efScatterFigure(results)).caption, /Here the MAE probe's predictions barely vary/);
});

Deno.test("the confusion figure draws one panel per backbone or says none exist", async () => {
  const results = normalizeResults(fakeRun().results);
  const figure = await confusionFigure(results);
  assert.match(figure.svg!, /PSAX-MV/);
  assert.ok((await confusionFigure(normalizeResults({}))).missing);
});

Deno.test("the attention figure draws each clip's slots for every backbone and reports how peaked the maps are", () => {
  const { attention } = fakeRun();
  const figure = attentionFigure(attention);
  // 3 backbones × 2 clips × 4 temporal slots.
  assert.equal((figure.svg!.match(/<image /g) ?? []).length, 24);
  assert.match(figure.svg!, /→ A2C/);
  assert.match(figure.caption, /Relative entropy of the maps \(1 = uniform\): JEPA 0\.\d\d, MAE/);
  assert.ok(attentionFigure({}).missing);
  assert.ok(Math.abs(relativeEntropy([0.25, 0.25, 0.25, 0.25]) - 1) < 1e-12);
  assert.equal(relativeEntropy([1, 0, 0, 0]), 0);
});
