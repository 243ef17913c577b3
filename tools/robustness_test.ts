import assert from "node:assert/strict";
import { REFERENCE_CONDITION_IDS } from "@echojepa/perturb";
import { parseProbeArgs, runProbe } from "./probe.ts";
import { formatTable, parseConditions, parseRobustnessArgs, runRobustness } from "./robustness.ts";
import { writeTinyDataset, writeTinyEncoder } from "./lib/testing.ts";

Deno.test("robustness CLI: condition lists", () => {
  assert.deepEqual(parseConditions("reference"), [...REFERENCE_CONDITION_IDS]);
  assert.equal(parseConditions("reference").length, 6);
  assert.ok(parseConditions("all").length > 6);
  assert.deepEqual(parseConditions("haze-low, gain-high"), ["haze-low", "gain-high"]);
  assert.throws(() => parseConditions("fog-high"), /unknown perturbation condition "fog-high"/);
  const a = parseRobustnessArgs(["--probe", "p", "--manifest", "m", "--out", "o"])!;
  assert.equal(a.conditions.length, 6);
  assert.equal(a.seed, 0);
});

Deno.test("robustness CLI: clean and perturbed metrics, average degradation, table", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const encoder = await writeTinyEncoder(dir);
    const data = await writeTinyDataset(dir);
    const probeDir = `${dir}/views`;
    await runProbe(
      parseProbeArgs([
        "--encoder",
        encoder,
        "--manifest",
        `${data}/FileList.csv`,
        "--task",
        "regression",
        "--probe",
        "linear",
        "--segments",
        "1",
        "--epochs",
        "3",
        "--lrs",
        "0.05",
        "--wds",
        "0",
        "--out",
        probeDir,
        "--no-progress",
      ])!,
    );
    const out = `${dir}/robust`;
    const argv = ["--probe", probeDir, "--manifest", `${data}/lvef_train.csv`, "--out", out, "--no-progress"];
    const r = await runRobustness(
      parseRobustnessArgs([...argv, "--conditions", "depth-attenuation-high,haze-high"])!,
    );
    assert.equal(r.metric, "mae");
    assert.deepEqual(r.results.map((x) => x.condition), ["clean", "depth-attenuation-high", "haze-high"]);
    const [clean, ...perturbed] = r.results.map((x) => x.value);
    const expected = ((perturbed[0] + perturbed[1]) / 2 - clean) / clean * 100;
    assert.ok(Math.abs(r.averageDegradation - expected) < 1e-9);
    const saved = JSON.parse(await Deno.readTextFile(`${out}/robustness.json`));
    assert.equal(saved.averageDegradation, r.averageDegradation);
    assert.equal(saved.results[0].metrics.n, r.n);
    const rows = (await Deno.readTextFile(`${out}/robustness_predictions.csv`)).trim().split("\n");
    assert.equal(rows[0], "id,label,clean,depth-attenuation-high,haze-high");
    assert.equal(rows.length - 1, r.n);
    // The strongest depth attenuation darkens the clip: the prediction moves for at least one clip.
    assert.ok(rows.slice(1).some((row) => row.split(",")[2] !== row.split(",")[3]));
    // The same seed gives the same result.
    const again = await runRobustness(
      parseRobustnessArgs([...argv, "--conditions", "depth-attenuation-high,haze-high"])!,
    );
    assert.deepEqual(again.results.map((x) => x.value), r.results.map((x) => x.value));
    const table = formatTable(r);
    assert.match(table, /^condition +MAE +change/);
    assert.match(table, /average degradation: [+-]\d+\.\d\d% over 2 conditions/);

    await assert.rejects(
      () =>
        runRobustness(
          parseRobustnessArgs(["--probe", probeDir, "--manifest", `${data}/Videos`, "--out", out])!,
        ),
      /has no label/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
