import assert from "node:assert/strict";
import { kShotSubset, labelBudgetName, labelDraws } from "./label_draws.ts";

const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0, 2];

Deno.test("kShotSubset takes exactly k per class (all of a smaller class), sorted", () => {
  for (const k of [1, 2, 4]) {
    const idx = kShotSubset(labels, k, 3);
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
    assert.equal(new Set(idx).size, idx.length);
    const counts = [0, 0, 0];
    for (const i of idx) counts[labels[i]]++;
    assert.deepEqual(counts, [k, k, k]);
  }
  // Class 1 has 4 members: k = 6 takes all of them, 6 of class 0 (6 members) and 5 of class 2 (all).
  const counts = [0, 0, 0];
  for (const i of kShotSubset(labels, 6, 0)) counts[labels[i]]++;
  assert.deepEqual(counts, [6, 4, 5]);
  assert.throws(() => kShotSubset(labels, 0, 0), RangeError);
});

Deno.test("labelDraws differ across draws, repeat for a seed, and cover every member over many draws", () => {
  const draws = labelDraws(labels, { kind: "shot", k: 1 }, 40, 7);
  assert.equal(draws.length, 40);
  assert.deepEqual(draws, labelDraws(labels, { kind: "shot", k: 1 }, 40, 7));
  assert.deepEqual(draws[1], labelDraws(labels, { kind: "shot", k: 1 }, 1, 8)[0]);
  assert.ok(new Set(draws.map((d) => d.join())).size > 10);
  // Uniform without replacement: over 40 one-shot draws every one of the 15 samples is picked at least once.
  assert.equal(new Set(draws.flat()).size, labels.length);
  const fraction = labelDraws(labels, { kind: "fraction", fraction: 0.5 }, 3, 1);
  for (const d of fraction) assert.equal(d.length, 3 + 2 + 3);
  assert.deepEqual(
    [{ kind: "shot", k: 5 }, { kind: "fraction", fraction: 0.01 }, { kind: "fraction", fraction: 0.1 }].map((
      b,
    ) => labelBudgetName(b as never)),
    ["5-shot", "1%", "10%"],
  );
});
