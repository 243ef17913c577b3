import assert from "node:assert/strict";
import { lookup, parseSafetensorsHeader, TorchCheckpoint } from "@echojepa/tensor";
import { parseProbeArgs, runProbe } from "./probe.ts";
import { writeTinyDataset, writeTinyEncoder } from "./lib/testing.ts";
import type { ProbeSpec } from "./lib/probe_files.ts";

const quiet = ["--no-progress", "--epochs", "2", "--lrs", "0.01", "--wds", "0"];

Deno.test("probe CLI: flags, defaults and argument errors", () => {
  const a = parseProbeArgs(["--encoder", "e.safetensors", "--manifest", "FileList.csv", "--out", "o"])!;
  assert.equal(a.train, "FileList.csv");
  assert.equal(a.test, "FileList.csv");
  assert.equal(a.task, "classification");
  assert.equal(a.probe, "attentive");
  assert.deepEqual([a.depth, a.heads, a.epochs, a.segments, a.fraction, a.seed], [4, 16, 20, 2, 1, 1]);
  assert.equal(a.frames, undefined); // Taken from the encoder's pretraining settings.
  assert.equal(parseProbeArgs(["-h"]), null);
  assert.throws(() => parseProbeArgs(["--encoder", "e", "--out", "o"]), /--train, --val and --test/);
  assert.throws(() => parseProbeArgs(["--phantom", "5", "--out", "o"]), /--encoder is required/);
  assert.throws(
    () =>
      parseProbeArgs(["--encoder", "e", "--phantom", "5", "--out", "o", "--fps", "8", "--frame-step", "2"]),
    /give one/,
  );
  assert.throws(
    () => parseProbeArgs(["--encoder", "e", "--phantom", "5", "--out", "o", "--task", "seg"]),
    /--task/,
  );
  assert.throws(
    () => parseProbeArgs(["--encoder", "e", "--phantom", "5", "--out", "o", "--fraction", "0"]),
    /--fraction/,
  );
  assert.throws(
    () => parseProbeArgs(["--encoder", "e", "--phantom", "x", "--out", "o"]),
    /--phantom: expected/,
  );
});

Deno.test("probe CLI: trains on manifests, saves the probe, and reuses cached features", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const encoder = await writeTinyEncoder(dir);
    const data = await writeTinyDataset(dir);
    const out = `${dir}/views`;
    const argv = [
      "--encoder",
      encoder,
      "--train",
      `${data}/views_train.csv`,
      "--val",
      `${data}/views_val.csv`,
      "--test",
      `${data}/views_test.csv`,
      "--probe",
      "linear",
      "--out",
      out,
      ...quiet,
    ];
    const result = await runProbe(parseProbeArgs(argv)!);
    const spec: ProbeSpec = JSON.parse(await Deno.readTextFile(`${out}/probe.json`));
    assert.deepEqual(spec.task, { type: "classification", numClasses: 6 }); // labels 2 (A4C) and 5 (PLAX)
    assert.equal(spec.encoder.path, encoder);
    assert.equal(spec.encoder.key, null);
    // Clip defaults come from the encoder's recorded nominal clip (4 frames × 32 px), step 2, 2 segments.
    assert.deepEqual(spec.clips, {
      frames: 4,
      fps: null,
      frameStep: 2,
      segments: 2,
      resolution: 32,
      sector: true,
    });
    assert.equal(spec.pooling, "mean");
    assert.deepEqual(spec.probe, { kind: "linear", dim: 16, outputs: 6, depth: 4, heads: 16 });
    const metrics = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
    assert.equal(metrics.test.n, 2);
    assert.ok(metrics.test.accuracy >= 0 && metrics.test.accuracy <= 1);
    assert.equal(metrics.lossHistory.length, 2);
    assert.equal((result.metrics.test as { n: number }).n, 2);
    const csv = (await Deno.readTextFile(`${out}/predictions_test.csv`)).trim().split("\n");
    assert.equal(csv.length, 3);
    assert.match(csv[0], /^id,study,label,prediction,p0,/);
    const header = parseSafetensorsHeader(await Deno.readFile(`${out}/probe.safetensors`));
    assert.deepEqual([...header.entries.keys()].sort(), [
      "linear.bias",
      "linear.weight",
      "norm.bias",
      "norm.weight",
    ]);
    assert.equal(JSON.parse(header.metadata["echojepa.probe"]).format, "echojepa-ts-probe/1");
    // probe.pt: the same head in the reference's probe layout (DDP's module. prefix), its score recorded.
    const pt = TorchCheckpoint.open(`${out}/probe.pt`);
    assert.deepEqual([...pt.tensors("classifiers.0").keys()].sort(), [
      "module.linear.bias",
      "module.linear.weight",
      "module.norm.bias",
      "module.norm.weight",
    ]);
    assert.deepEqual(lookup(pt.root, "best_val_acc_per_head"), [
      (result.spec.training.chosen as { valScore: number }).valScore,
    ]);
    pt.close();

    // A second run with another grid reads the cached features instead of encoding again.
    const features = [...Deno.readDirSync(`${out}/features`)].filter((e) => e.name.endsWith(".f32"));
    const before = features.map((e) => Deno.statSync(`${out}/features/${e.name}`).mtime!.getTime());
    await runProbe(parseProbeArgs([...argv, "--lrs", "0.001"])!);
    const after = features.map((e) => Deno.statSync(`${out}/features/${e.name}`).mtime!.getTime());
    assert.deepEqual(after, before);
    assert.equal([...Deno.readDirSync(`${out}/features`)].length, features.length * 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probe CLI: regression from one FileList.csv z-scores with training targets only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const encoder = await writeTinyEncoder(dir);
    const data = await writeTinyDataset(dir);
    const out = `${dir}/ef`;
    const argv = ["--encoder", encoder, "--manifest", `${data}/FileList.csv`, "--task", "regression"];
    await runProbe(
      parseProbeArgs([...argv, "--depth", "1", "--heads", "2", "--segments", "1", "--out", out, ...quiet])!,
    );
    const spec: ProbeSpec = JSON.parse(await Deno.readTextFile(`${out}/probe.json`));
    const rows = (await Deno.readTextFile(`${data}/FileList.csv`)).trim().split("\n").slice(1).map((l) =>
      l.split(",")
    );
    const train = rows.filter((r) => r[8] === "TRAIN").map((r) => Number(r[1]));
    const mean = train.reduce((a, b) => a + b, 0) / train.length;
    const std = Math.sqrt(train.reduce((a, b) => a + (b - mean) ** 2, 0) / train.length);
    assert.ok(Math.abs(spec.scaler!.mean - mean) < 1e-9);
    assert.ok(Math.abs(spec.scaler!.std - std) < 1e-9);
    assert.equal(spec.pooling, "tokens");
    const metrics = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
    assert.ok(Number.isFinite(metrics.test.mae) && metrics.test.mae >= 0);
    assert.ok("aurocBelow50" in metrics.test);

    // Clear errors: a manifest without labels, a missing label column, a wrong checkpoint key, a missing file.
    const base = [...quiet, "--out", `${dir}/bad`];
    await assert.rejects(
      () => runProbe(parseProbeArgs(["--encoder", encoder, "--manifest", `${data}/Videos`, ...base])!),
      /has no label/,
    );
    await assert.rejects(
      () => runProbe(parseProbeArgs([...argv, "--label-column", "LVOT", ...base])!),
      /--label-column LVOT: .* has no numeric "LVOT" \(columns: EF, ESV/,
    );
    await assert.rejects(
      () => runProbe(parseProbeArgs([...argv, "--key", "target_encoder", ...base])!),
      /--key target_encoder: .* has no "target_encoder" weights/,
    );
    await assert.rejects(
      () => runProbe(parseProbeArgs(["--encoder", `${dir}/nope.safetensors`, "--manifest", "x", ...base])!),
      /nope\.safetensors does not exist/,
    );
    await assert.rejects(
      () => runProbe(parseProbeArgs([...argv, "--heads", "5", ...base])!),
      /--heads 5: the encoder's width 16 does not divide into 5 heads/,
    );
    await assert.rejects(
      () => runProbe(parseProbeArgs(["--encoder", encoder, "--manifest", `${data}/FileList.csv`, ...base])!),
      /classification labels must be class indices 0, 1, …; found [\d.]+ \(use --task regression\?\)/,
    );
    await assert.rejects(
      () => runProbe(parseProbeArgs([...argv, "--frames", "3", ...base])!),
      /--frames 3: must be a multiple of the encoder's tubelet size 2/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probe CLI: --phantom trains without any data files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const encoder = await writeTinyEncoder(dir);
    const out = `${dir}/phantom-ef`;
    const argv = ["--encoder", encoder, "--phantom", "5", "--phantom-size", "32", "--task", "regression"];
    const result = await runProbe(parseProbeArgs([...argv, "--segments", "1", "--out", out, ...quiet])!);
    assert.deepEqual(result.spec.training.samples, { train: 3, val: 1, test: 1 });
    assert.equal(result.spec.classNames, null);
    assert.ok(result.spec.scaler!.mean > 0 && result.spec.scaler!.mean < 100); // EF in %
    const rows = (await Deno.readTextFile(`${out}/predictions_test.csv`)).trim().split("\n");
    assert.match(rows[1], /^phantom\/P[0-9A-F]+_A4C_0,P[0-9A-F]+,/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
