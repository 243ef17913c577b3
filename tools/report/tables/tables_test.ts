import assert from "node:assert/strict";
import { fakePartialRun, fakeRun } from "../fixture.ts";
import { normalizeResults } from "../run_data.ts";
import { OURS_GROUP } from "../table.ts";
import { allTables } from "./mod.ts";
import { robustnessTable, shortConditionName } from "./robustness.ts";
import { controlledTable } from "./controlled.ts";
import { efTable } from "./ef.ts";

Deno.test("every table of a complete run has our rows, the paper's rows and no missing note", () => {
  const tables = allTables(normalizeResults(fakeRun().results));
  assert.deepEqual(tables.map((t) => t.id), [
    "verdicts",
    "controlled",
    "protocol",
    "fractions",
    "ef",
    "rvsp",
    "pediatric",
    "robustness",
  ]);
  for (const table of tables) {
    assert.equal(table.missing, undefined, table.id);
    for (const group of table.groups) {
      for (const row of group.rows) assert.equal(row.length, table.columns.length, `${table.id}: ${row}`);
    }
    const ours = table.groups.find((g) => g.label === OURS_GROUP) ?? table.groups[0];
    assert.ok(ours.rows.length >= 3, table.id);
    assert.match(table.caption, /not a reproduction/);
  }
});

Deno.test("captions name the backbone the numbers favour, whichever it is", () => {
  const results = normalizeResults(fakeRun().results);
  assert.match(controlledTable(results).caption, /JEPA backbone had the lowest EF MAE/);
  results.ef.mae!.mae = 0.5;
  assert.match(controlledTable(results).caption, /MAE backbone had the lowest EF MAE \(0\.50;/);
});

Deno.test("the EF table names each backbone's probe and scores the training mean beside them", () => {
  const results = normalizeResults(fakeRun().results);
  const table = efTable(results);
  const rows = table.groups.find((g) => g.label === OURS_GROUP)!.rows;
  const jepa = results.ef.jepa!;
  const jepaRow = rows.find((r) => r[0].startsWith("JEPA (latent"))!;
  assert.match(jepaRow[1], new RegExp(`^${jepa.probe} \\(val \\d+\\.\\d+ / \\d+\\.\\d+\\)$`));
  const mean = rows.at(-1)!;
  assert.equal(mean[0], "Training mean (no features)");
  const expected = jepa.target.reduce((s, t) => s + Math.abs(t - 50), 0) / jepa.target.length;
  assert.equal(mean[2], expected.toFixed(2));
  assert.ok(Number(mean[4]) <= 0, "the training mean explains no test variance");
  assert.match(table.caption, /lower validation MAE/);
});

Deno.test("a run with most sections missing says so in each table", () => {
  const tables = allTables(normalizeResults(fakePartialRun().results));
  const missing = tables.filter((t) => t.missing).map((t) => t.id);
  assert.deepEqual(missing, ["verdicts", "controlled", "protocol", "ef", "rvsp", "pediatric", "robustness"]);
  const fractions = tables.find((t) => t.id === "fractions")!;
  assert.match(fractions.caption, /only JEPA measured so far/);
});

Deno.test("robustness uses the paper's short condition names and keeps the paper's columns", () => {
  assert.equal(shortConditionName("depth-attenuation-medium"), "DA med");
  assert.equal(shortConditionName("gaussian-shadow-high"), "GS high");
  const table = robustnessTable(normalizeResults(fakeRun().results));
  assert.deepEqual(table.columns.slice(2, 8), ["DA low", "DA med", "DA high", "GS low", "GS med", "GS high"]);
  assert.equal(table.groups[0].rows[0][2], "8.51");
});

Deno.test("the robustness caption discounts the degradation of an EF probe that predicts a constant", () => {
  const results = normalizeResults(fakeRun().results);
  assert.doesNotMatch(robustnessTable(results).caption, /says nothing about robustness/);
  results.ef.random!.predicted = results.ef.random!.target.map(() => 52);
  assert.match(
    robustnessTable(results).caption,
    /The EF probes of random init predict nearly the same EF for every clip/,
  );
});
