import assert from "node:assert/strict";
import { rankBackbones, winnerSentence } from "./winner.ts";

const f = (v: number): string => v.toFixed(1);

Deno.test("rankBackbones orders by the metric's direction and drops non-finite values", () => {
  const values = { jepa: 5, mae: 4, random: Number.NaN };
  assert.deepEqual(rankBackbones(values, "lower").map((r) => r.backbone), ["mae", "jepa"]);
  assert.deepEqual(rankBackbones(values, "higher").map((r) => r.backbone), ["jepa", "mae"]);
});

Deno.test("winnerSentence names whichever backbone the numbers favour", () => {
  assert.equal(
    winnerSentence("EF MAE", { jepa: 6.2, mae: 4.1, random: 9 }, "lower", f),
    "On the phantom, MAE had the lowest EF MAE (4.1; JEPA 6.2, random init 9.0).",
  );
  assert.match(winnerSentence("accuracy", { jepa: 0.9, random: 0.3 }, "higher", f), /JEPA had the highest/);
  assert.match(winnerSentence("accuracy", { mae: 0.5, jepa: 0.5 }, "higher", f), /\(tied\)/);
  assert.equal(winnerSentence("R²", { mae: 0.5 }, "higher", f), "R²: only MAE measured so far (0.5).");
  assert.equal(winnerSentence("R²", {}, "higher", f), "R²: not measured yet.");
});
