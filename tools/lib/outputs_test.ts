import assert from "node:assert/strict";
import { averageByStudy, decodeOutputs, taskMetrics } from "./outputs.ts";

Deno.test("outputs: softmax/argmax and de-normalisation", () => {
  const c = decodeOutputs({ type: "classification", numClasses: 2 }, [0, Math.log(3), 2, 0], null);
  assert.deepEqual(c.predictions, [1, 0]);
  assert.ok(Math.abs(c.probabilities![0][1] - 0.75) < 1e-12);
  const r = decodeOutputs({ type: "regression" }, [0, 1, -2], { mean: 55, std: 10 });
  assert.deepEqual(r.predictions, [55, 65, 35]);
  assert.equal(r.probabilities, null);
});

Deno.test("outputs: per-study averaging of probabilities, values and labels", () => {
  const c = averageByStudy(
    ["a", "b", "a"],
    { predictions: [0, 1, 1], probabilities: [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]] },
    [0, 1, 0],
  );
  assert.deepEqual(c.studies, ["a", "b"]);
  assert.deepEqual(c.counts, [2, 1]);
  assert.deepEqual(c.decoded.predictions, [0, 1]); // a: mean [0.6, 0.4]
  assert.ok(Math.abs(c.decoded.probabilities![0][0] - 0.6) < 1e-12);
  assert.deepEqual(c.labels, [0, 1]);
  const r = averageByStudy(["s", "s", "t"], { predictions: [50, 60, 40], probabilities: null }, [
    52,
    54,
    undefined,
  ]);
  assert.deepEqual(r.decoded.predictions, [55, 40]);
  assert.deepEqual(r.labels, [53, undefined]);
});

Deno.test("outputs: task metrics carry intervals and reduced-EF AUROC", () => {
  const m = taskMetrics({ type: "regression" }, [30, 45, 60, 70], [35, 40, 65, 60]);
  assert.equal(m.mae, 6.25);
  assert.equal(m.aurocBelow50, 1);
  const interval = m.maeCI90 as { low: number; high: number };
  assert.ok(interval.low <= 6.25 && interval.high >= 6.25);
  const c = taskMetrics({ type: "classification", numClasses: 3 }, [0, 1, 2, 2], [0, 1, 2, 1]);
  assert.equal(c.accuracy, 0.75);
  assert.equal(c.n, 4);
});
