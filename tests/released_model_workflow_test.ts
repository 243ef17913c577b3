/**
 * The released-model workflow end to end: an encoder training checkpoint and an LVEF probe in the layouts and key
 * names of the released files (`vitl-kinetics-pt220-an55.pt`: `{encoder, predictor, target_encoder, opt, …}` with
 * `module.backbone.` keys; `echojepa-l-k-lvef.pt`: the `classifiers` grid with `module.` keys and
 * `best_val_acc_per_head`), both written by PyTorch (tests/fixtures/make_torch_checkpoints.py, a tiny ViT in place
 * of ViT-L), applied by `deno task eval` to DICOM exports with the reference's LVEF evaluation settings (224 px,
 * 16 frames, frame step 2, 2 segments), study-level averaging, de-normalised with the reference's LVEF μ/σ.
 */
import assert from "node:assert/strict";
import { parseEvalArgs, runEval } from "../tools/eval.ts";

const FIXTURES = new URL("./fixtures/torch/", import.meta.url).pathname;
const SAMPLES = new URL("../../shared/samples/", import.meta.url).pathname;
const DICOMS = [
  "pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
  "dicomparser_IM00001_us_doppler_jpegbaseline_8f.dcm",
  "pydicomdata_OBXXXX1A_rle_us_palette.dcm",
];
const present = DICOMS.every((f) => {
  try {
    return Deno.statSync(SAMPLES + f).isFile;
  } catch {
    return false;
  }
});

function readCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split("\n").map((l) => l.split(","));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

Deno.test({
  name: "released-model workflow: .pt encoder + .pt LVEF probe grid on DICOM studies, reference settings",
  ignore: !present,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const encoder = `${dir}/vitl-kinetics-pt220-an55.pt`;
      const probe = `${dir}/echojepa-l-k-lvef.pt`;
      await Deno.copyFile(`${FIXTURES}pretrain.pt`, encoder);
      await Deno.copyFile(`${FIXTURES}probe.pt`, probe);
      // The tiny stand-in for `--config large`.
      const config = `${dir}/tiny-vit.json`;
      await Deno.writeTextFile(config, JSON.stringify({ embedDim: 32, depth: 2, numHeads: 4 }));
      // Two studies (a study is the file's folder): two DICOM exports, and one.
      for (const [study, files] of [["study-a", DICOMS.slice(0, 2)], ["study-b", DICOMS.slice(2)]] as const) {
        await Deno.mkdir(`${dir}/${study}`);
        for (const f of files) await Deno.copyFile(SAMPLES + f, `${dir}/${study}/${f}`);
      }
      const manifest = `${dir}/manifest.csv`;
      await Deno.writeTextFile(
        manifest,
        [`${dir}/study-a/${DICOMS[0]} 55`, `${dir}/study-a/${DICOMS[1]} 55`, `${dir}/study-b/${DICOMS[2]} 40`]
          .join("\n") + "\n",
      );
      const common = [
        "--encoder",
        encoder,
        "--config",
        config,
        "--probe",
        probe,
        "--probe-heads",
        "4",
        "--target-mean",
        "57.0569",
        "--target-std",
        "11.3252",
        "--manifest",
        manifest,
        "--no-progress",
      ];
      const perStudy = await runEval(
        parseEvalArgs([...common, "--per-study", "--out", `${dir}/predictions.csv`])!,
      );
      assert.equal(perStudy.rows, 2);
      assert.deepEqual(perStudy.skipped, []);
      const clips = await runEval(parseEvalArgs([...common, "--out", `${dir}/clips.csv`])!);
      assert.equal(clips.rows, 3);

      const studies = readCsv(await Deno.readTextFile(`${dir}/predictions.csv`));
      const perClip = readCsv(await Deno.readTextFile(`${dir}/clips.csv`));
      assert.deepEqual(studies.map((s) => [s.clips, s.label]), [["2", "55"], ["1", "40"]]);
      // Study values are the mean of their clips' predictions, in LVEF units (de-normalised).
      const a = perClip.filter((c) => c.study === studies[0].study).map((c) => Number(c.prediction));
      assert.equal(a.length, 2);
      assert.ok(Math.abs(Number(studies[0].prediction) - (a[0] + a[1]) / 2) < 1e-4);
      for (const c of perClip) assert.ok(Number.isFinite(Number(c.prediction)));
      assert.ok(perStudy.metrics && typeof perStudy.metrics.mae === "number");

      // By default the file's best head (best_val_acc_per_head: head 1) is used; --probe-head 0 picks another.
      await runEval(parseEvalArgs([...common, "--probe-head", "0", "--out", `${dir}/head0.csv`])!);
      const head0 = readCsv(await Deno.readTextFile(`${dir}/head0.csv`)).map((c) => c.prediction);
      assert.notDeepEqual(head0, perClip.map((c) => c.prediction));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
