import assert from "node:assert/strict";
import { join } from "node:path";
import { fakePartialRun, fakeRun, writeFakeRun } from "./fixture.ts";
import { loadRun, normalizeResults } from "./run_data.ts";

Deno.test("loadRun reads results and every side file of a complete run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFakeRun(dir, fakeRun());
    const run = await loadRun(dir);
    assert.deepEqual(run.problems, []);
    assert.equal(Object.keys(run.embeddings).length, 3);
    assert.equal(run.examples?.conditions.length, 6);
    assert.ok(run.results.ef.jepa!.mae > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRun records a broken or absent side file instead of failing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = fakePartialRun();
    run.results.files.examples = "examples.json";
    await writeFakeRun(dir, run);
    await Deno.writeTextFile(
      join(dir, "examples.json"),
      JSON.stringify({ clip: { frames: [1], t: 2, h: 2, w: 2 } }),
    );
    run.results.files.embeddings.mae = "embeddings-mae.json";
    await Deno.writeTextFile(join(dir, "results.json"), JSON.stringify(run.results));
    const loaded = await loadRun(dir);
    assert.equal(loaded.examples, undefined);
    assert.equal(loaded.problems.length, 2);
    assert.match(loaded.problems.join("\n"), /examples\.json: clip\.frames/);
    assert.match(loaded.problems.join("\n"), /embeddings-mae\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRun names the missing results.json", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadRun(dir), /results\.json: not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("normalizeResults fills absent sections with empty ones", () => {
  const results = normalizeResults({ preset: "quick" });
  assert.deepEqual(results.ef, {});
  assert.deepEqual(results.files.embeddings, {});
});
