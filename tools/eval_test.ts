import assert from "node:assert/strict";
import { parseEvalArgs, runEval } from "./eval.ts";
import { parseProbeArgs, runProbe } from "./probe.ts";
import { writeTinyDataset, writeTinyEncoder } from "./lib/testing.ts";

const train = ["--no-progress", "--epochs", "2", "--lrs", "0.01", "--wds", "0", "--probe", "linear"];

Deno.test("eval CLI: flags", () => {
  const a = parseEvalArgs(["--probe", "p", "--manifest", "m.csv", "--out", "o.csv", "--per-study"])!;
  assert.deepEqual([a.probe, a.manifest, a.out, a.perStudy, a.batch], ["p", "m.csv", "o.csv", true, 8]);
  assert.throws(() => parseEvalArgs(["--probe", "p", "--out", "o.csv"]), /--manifest is required/);
  assert.equal(parseEvalArgs(["--help"]), null);
});

Deno.test("eval CLI: clip and per-study predictions, metrics only with labels, clear errors", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const encoder = await writeTinyEncoder(dir);
    const data = await writeTinyDataset(dir);
    const probeDir = `${dir}/ef`;
    await runProbe(
      parseProbeArgs([
        "--encoder",
        encoder,
        "--manifest",
        `${data}/FileList.csv`,
        "--task",
        "regression",
        "--out",
        probeDir,
        ...train,
      ])!,
    );
    const spec = JSON.parse(await Deno.readTextFile(`${probeDir}/probe.json`));

    // Every A4C clip of the FileList (all splits): one row each, de-normalised, with metrics.
    const clips = await runEval(
      parseEvalArgs([
        "--probe",
        probeDir,
        "--manifest",
        `${data}/lvef_train.csv`,
        "--out",
        `${dir}/out/clips.csv`,
        "--no-progress",
      ])!,
    );
    const rows = (await Deno.readTextFile(`${dir}/out/clips.csv`)).trim().split("\n");
    assert.equal(rows[0], "id,study,label,prediction");
    assert.equal(rows.length - 1, clips.rows);
    const predictions = rows.slice(1).map((r) => Number(r.split(",")[3]));
    // Outputs are in EF units: near the training mean for an untrained-ish probe, not z-scores near 0.
    for (const p of predictions) assert.ok(Math.abs(p - spec.scaler.mean) < 5 * spec.scaler.std, `${p}`);
    assert.equal(clips.metricsPath, `${dir}/out/clips.metrics.json`);
    const m = JSON.parse(await Deno.readTextFile(clips.metricsPath!));
    assert.equal(m.level, "clip");
    assert.equal(m.n, clips.rows);
    const labels = rows.slice(1).map((r) => Number(r.split(",")[2]));
    const mae = predictions.reduce((s, p, i) => s + Math.abs(p - labels[i]), 0) / labels.length;
    assert.ok(Math.abs(m.mae - mae) < 1e-4);

    // Per study: the folder when the manifest has no study column (reference CSV) → one study here.
    const studies = await runEval(
      parseEvalArgs([
        "--probe",
        probeDir,
        "--manifest",
        `${data}/lvef_train.csv`,
        "--out",
        `${dir}/out/studies.csv`,
        "--per-study",
        "--no-progress",
      ])!,
    );
    const srows = (await Deno.readTextFile(`${dir}/out/studies.csv`)).trim().split("\n");
    assert.equal(srows[0], "study,clips,label,prediction");
    assert.equal(studies.rows, 1);
    const [, count, , mean] = srows[1].split(",");
    assert.equal(Number(count), clips.rows);
    const avg = predictions.reduce((a, b) => a + b, 0) / predictions.length;
    assert.ok(Math.abs(Number(mean) - avg) < 1e-4);

    // A folder of videos has no labels: predictions only.
    const unlabeled = await runEval(
      parseEvalArgs([
        "--probe",
        probeDir,
        "--manifest",
        `${data}/Videos`,
        "--out",
        `${dir}/out/all.csv`,
        "--no-progress",
      ])!,
    );
    assert.equal(unlabeled.rows, 10);
    assert.equal(unlabeled.metrics, null);

    // Real files (EchoNet-style AVI, JPEG-baseline and RLE DICOM, a still) through the same path, when present.
    const samples = new URL("../../shared/samples/", import.meta.url).pathname;
    const real = [
      "derived_a4c_112x112_mjpeg_30fps.avi",
      "pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
      "dicomparser_IM00001_us_doppler_jpegbaseline_8f.dcm",
      "pydicomdata_OBXXXX1A_rle_us_palette.dcm",
    ];
    const absent = real.find((f) => !exists(samples + f));
    await t.step({
      name: absent ? `real sample files (ignored: ${samples}${absent} is absent)` : "real sample files",
      ignore: absent !== undefined,
      fn: async () => {
        await Deno.writeTextFile(`${dir}/real.csv`, real.map((f) => `${samples}${f} 55`).join("\n") + "\n");
        const r = await runEval(
          parseEvalArgs([
            "--probe",
            probeDir,
            "--manifest",
            `${dir}/real.csv`,
            "--out",
            `${dir}/out/real.csv`,
            "--no-progress",
          ])!,
        );
        assert.equal(r.rows + r.skipped.length, real.length);
        assert.equal(r.rows, real.length, JSON.stringify(r.skipped));
      },
    });

    // Errors: a probe folder without probe.json, an encoder of another width.
    await assert.rejects(
      () =>
        runEval(parseEvalArgs(["--probe", dir, "--manifest", `${data}/Videos`, "--out", `${dir}/x.csv`])!),
      /no probe\.json there/,
    );
    const wide = await writeTinyEncoder(dir, "wide.safetensors", 32);
    await assert.rejects(
      () =>
        runEval(
          parseEvalArgs([
            "--probe",
            probeDir,
            "--encoder",
            wide,
            "--manifest",
            `${data}/Videos`,
            "--out",
            `${dir}/x.csv`,
          ])!,
        ),
      /shape mismatch: the probe .* reads 16-wide features, the encoder .* gives 32/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
