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
    "The MAE backbone had the lowest EF MAE (4.1; JEPA 6.2, random init 9.0).",
  );
  assert.match(
    winnerSentence("accuracy", { jepa: 0.9, random: 0.3 }, "higher", f),
    /JEPA backbone had the highest/,
  );
  assert.equal(winnerSentence("R²", { mae: 0.5 }, "higher", f), "R²: only MAE measured so far (0.5).");
  assert.equal(winnerSentence("R²", {}, "higher", f), "R²: not measured yet.");
});

Deno.test("winnerSentence reports equal printed values as a tie", () => {
  assert.equal(
    winnerSentence("accuracy", { jepa: 11.54, mae: 7.7, random: 11.5 }, "higher", f),
    "JEPA and random init tied for the highest accuracy (11.5; MAE 7.7).",
  );
  assert.equal(
    winnerSentence("EF MAE", { jepa: 8.7, mae: 8.7 }, "lower", f),
    "JEPA and MAE tied on EF MAE (8.7).",
  );
});

Deno.test("winnerSentence calls a lead within the spread what it is", () => {
  const spread = { values: { jepa: 1.3, mae: 4.7, random: 2.3 }, name: "the spread over seeds" };
  assert.equal(
    winnerSentence("accuracy", { jepa: 8.8, mae: 8.3, random: 6.8 }, "higher", f, spread),
    "The JEPA backbone had the highest accuracy (8.8; MAE 8.3, random init 6.8), but its lead over MAE is within " +
      "the spread over seeds.",
  );
  assert.equal(
    winnerSentence("accuracy", { jepa: 30, mae: 8.3 }, "higher", f, spread),
    "The JEPA backbone had the highest accuracy (30.0; MAE 8.3).",
  );
});
