/**
 * Smoke test of the main job: the quick preset runs end to end on the built-in phantom and writes results, verdicts
 * and a report; its pretraining learns (the JEPA loss falls), every probe of the fair protocol ran at every label
 * budget over its draws, and `--seed` changes the run. (That the probes read what is in the features is checked on
 * a separable control in `tools/demo/tasks_test.ts`; the quick phantom is too small for any backbone to beat
 * chance reliably.)
 */

import assert from "node:assert/strict";
import { BACKBONES, type DemoResults } from "../tools/demo/results.ts";
import { disposeModel, openModelBundle } from "../tools/lib/model_bundle.ts";
import { DEMO_PRESETS } from "../tools/demo/presets.ts";
import { CLAIMS } from "../tools/demo/verdicts.ts";
import { init } from "@echojepa/tensor";

/** Runs the quick demo into `out`; returns its exit code and combined output. */
async function runDemo(out: string, extra: string[] = []): Promise<{ code: number; text: string }> {
  const demo = new URL("../tools/demo.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", demo, "--preset", "quick", "--out", out, ...extra],
    // The WebAssembly backend unless told otherwise: on a machine without a GPU it is several times faster than a
    // software WebGPU adapter, which keeps this smoke test (four demo runs) well inside the suite's budget.
    env: { ECHOJEPA_BACKEND: Deno.env.get("ECHOJEPA_BACKEND") ?? "wasm" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, text: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

Deno.test({
  name: "deno task demo --preset quick completes, learns, judges every claim, and --seed changes the run",
  // The demo leaves its GPU device and worker pools to process exit.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "demo-quick-" });
    const first = await runDemo(out);
    assert.equal(first.code, 0, `demo failed:\n${first.text.slice(-3000)}`);
    const r = JSON.parse(await Deno.readTextFile(`${out}/results.json`)) as DemoResults;
    const p = DEMO_PRESETS.quick;
    // Pretraining learns: a pipeline that never steps the optimizer, or feeds it noise, leaves the loss flat.
    const loss = r.pretraining.jepa!.lossHistory;
    assert.ok(loss.every(Number.isFinite) && r.pretraining.mae!.lossHistory.every(Number.isFinite));
    assert.ok(mean(loss.slice(-3)) < 0.9 * mean(loss.slice(0, 3)), `JEPA loss did not fall: ${loss}`);
    // The learning curves: the init, then the checkpoints kept every `curveEveryEpochs` of the ten epochs.
    for (const objective of ["jepa", "mae"] as const) {
      const curve = r.pretraining[objective]!.curve!;
      assert.deepEqual(curve.map((pt) => pt.step), [0, p.pretrainSteps / 2, p.pretrainSteps]);
      assert.ok(curve.every((pt) => Number.isFinite(pt.accuracy["5-shot"].linear)), objective);
    }
    assert.ok((await Deno.stat(`${out}/report/learning-curve.png`)).size > 1000);
    // Every backbone and control went through the preset's probes at every budget, over its label draws: all
    // three with all labels, the few-label probes at the others.
    for (const b of BACKBONES) {
      for (const budget of ["1-shot", "5-shot", "1%", "10%", "100%"]) {
        for (const kind of ["attentive", "linear", "knn"] as const) {
          const s = r.probes![b]![budget][kind];
          if (budget !== "100%" && !p.protocol.fewLabelProbes.includes(kind)) {
            assert.equal(s, undefined, `${b} ${budget} ${kind} is not one of the preset's few-label probes`);
            continue;
          }
          assert.ok(s, `${b} ${budget} ${kind}`);
          assert.equal(
            s.accuracy.runs.length,
            budget === "100%" ? 1 : p.protocol.draws,
            `${b} ${budget} ${kind}`,
          );
          assert.equal(s.correct.length, r.data.clips.test);
          assert.ok(s.correct.every((c) => c >= 0 && c <= 1));
        }
      }
      assert.equal(r.probes![b]!["1-shot"].knn!.trainClips, 13);
      assert.ok(Number.isFinite(r.ef[b]!.mae) && Number.isFinite(r.ef[b]!.linear!.mae));
      assert.equal(r.robustness[b]!.conditions.length, 6);
      assert.ok(Number.isFinite(r.rvsp[b]!["multi-view"]!.mae));
      assert.ok(Number.isFinite(r.pediatric[b]!.pediatricMae));
    }
    // A verdict with its statistic for every claim, in results.json and in the report.
    const html = await Deno.readTextFile(`${out}/report/index.html`);
    for (const id of Object.keys(CLAIMS) as (keyof typeof CLAIMS)[]) {
      const v = r.verdicts![id];
      assert.ok(["reproduced", "not reproduced", "inconclusive"].includes(v.verdict), `${id}: ${v.verdict}`);
      assert.ok(v.statistic.length > 20);
      assert.ok(html.includes(v.verdict));
    }
    assert.match(html, /claims on this run/);
    assert.ok((await Deno.stat(`${out}/report/pretraining.png`)).size > 1000);
    // Each original backbone's view probe left its attention maps, and the report drew them.
    assert.deepEqual(Object.keys(r.files.attention ?? {}).sort(), ["jepa", "mae", "random"]);
    assert.ok((await Deno.stat(`${out}/report/attention.png`)).size > 1000);
    // The model bundle for the browser page: the JEPA encoder with both heads, their standardisation and the
    // demo's clip settings.
    assert.equal(r.files.model, "model.safetensors");
    await init();
    const model = openModelBundle(await Deno.readFile(`${out}/model.safetensors`));
    assert.deepEqual(Object.keys(model.heads).sort(), ["ef", "view"]);
    assert.equal(model.heads.view!.spec.classNames!.length, 13);
    assert.equal(model.heads.view!.spec.standardization!.mean.length, model.encoder.config.embedDim);
    assert.ok(model.spec.clips.sector && model.spec.clips.segments === 1);
    disposeModel(model);
    // A second run resumes: every stage is already done.
    const again = await runDemo(out);
    assert.equal(again.code, 0, again.text.slice(-3000));
    assert.match(again.text, /pretrain-jepa \(done in an earlier run\)/);
    // Another seed is another run: other patients, another initialisation, other draws; the same folder refuses it.
    const refused = await runDemo(out, ["--seed", "1"]);
    assert.equal(refused.code, 2);
    const out1 = await Deno.makeTempDir({ prefix: "demo-quick-seed1-" });
    const other = await runDemo(out1, ["--seed", "1"]);
    assert.equal(other.code, 0, other.text.slice(-3000));
    const r1 = JSON.parse(await Deno.readTextFile(`${out1}/results.json`)) as DemoResults;
    assert.equal(r1.seed, 1);
    assert.notDeepEqual(r1.ef.jepa!.target, r.ef.jepa!.target);
    assert.notDeepEqual(r1.pretraining.jepa!.lossHistory, loss);
    await Deno.remove(out, { recursive: true });
    await Deno.remove(out1, { recursive: true });
  },
});
