/**
 * Smoke test of the main job: the quick preset runs end to end on the built-in phantom and writes results and a
 * report with sane values. It asserts completeness and ranges only; what the numbers say is the report's business.
 */

import assert from "node:assert/strict";
import type { DemoResults } from "../tools/demo/results.ts";
import { disposeModel, openModelBundle } from "../tools/lib/model_bundle.ts";
import { init } from "@echojepa/tensor";

/** Runs the quick demo into `out`; returns its exit code and combined output. */
async function runDemo(out: string): Promise<{ code: number; text: string }> {
  const demo = new URL("../tools/demo.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", demo, "--preset", "quick", "--out", out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, text: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "deno task demo --preset quick completes and writes results.json and the report",
  // The demo leaves its GPU device and worker pools to process exit.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "demo-quick-" });
    const first = await runDemo(out);
    assert.equal(first.code, 0, `demo failed:\n${first.text.slice(-3000)}`);
    const r = JSON.parse(await Deno.readTextFile(`${out}/results.json`)) as DemoResults;
    for (const b of ["jepa", "mae", "random"] as const) {
      for (const k of ["1%", "10%", "100%"]) {
        const acc = r.viewClassification[b]![k].accuracy.mean;
        assert.ok(acc >= 0 && acc <= 100, `${b} ${k} accuracy ${acc}`);
      }
      assert.ok(Number.isFinite(r.ef[b]!.mae) && r.ef[b]!.mae > 0 && r.ef[b]!.mae < 60);
      assert.equal(r.robustness[b]!.conditions.length, 6);
      assert.ok(Number.isFinite(r.rvsp[b]!["multi-view"]!.mae));
      assert.ok(Number.isFinite(r.pediatric[b]!.pediatricMae));
    }
    assert.ok(r.pretraining.jepa!.lossHistory.every(Number.isFinite));
    assert.ok(r.pretraining.mae!.lossHistory.every(Number.isFinite));
    const html = await Deno.readTextFile(`${out}/report/index.html`);
    assert.match(html, /<table/);
    assert.ok((await Deno.stat(`${out}/report/pretraining.png`)).size > 1000);
    // Each backbone's view probe left its attention maps, and the report drew them.
    assert.deepEqual(Object.keys(r.files.attention ?? {}).sort(), ["jepa", "mae", "random"]);
    assert.ok((await Deno.stat(`${out}/report/attention.png`)).size > 1000);
    // The model bundle for the browser page: the JEPA encoder with both heads and the demo's clip settings.
    assert.equal(r.files.model, "model.safetensors");
    await init();
    const model = openModelBundle(await Deno.readFile(`${out}/model.safetensors`));
    assert.deepEqual(Object.keys(model.heads).sort(), ["ef", "view"]);
    assert.equal(model.heads.view!.spec.classNames!.length, 13);
    assert.ok(model.spec.clips.sector && model.spec.clips.segments === 1);
    disposeModel(model);
    // A second run resumes: every stage is already done.
    const again = await runDemo(out);
    assert.equal(again.code, 0, again.text.slice(-3000));
    assert.match(again.text, /pretrain-jepa \(done in an earlier run\)/);
    await Deno.remove(out, { recursive: true });
  },
});
