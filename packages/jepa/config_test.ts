import assert from "node:assert/strict";
import { PRESETS, resolveConfig, totalSteps } from "./config.ts";
import { encoderConfig } from "./models.ts";
import { loadConfigFile, parseConfigText } from "./config_file.ts";
import { hyperparametersAt } from "./schedules.ts";

Deno.test("every preset resolves and validates", () => {
  for (const name of Object.keys(PRESETS)) {
    const c = resolveConfig(name);
    assert.ok(totalSteps(c) > 0, name);
  }
  const l = resolveConfig("vitl-echojepa");
  assert.equal(l.optim.batchSize, 1024);
  assert.equal(l.optim.lr, 1.75e-4);
  assert.deepEqual(l.optim.ema, [0.99925, 0.99925]);
  assert.equal(l.masks.length, 2);
  assert.equal(resolveConfig("vitg-echojepa").encoder.numHeads, 22);
  assert.equal(resolveConfig("vitl-echomae").objective, "mae");
});

Deno.test("overrides merge deeply; unknown keys and bad values fail with the key named", () => {
  const c = resolveConfig("micro", { optim: { epochs: 3 } }, { run: { outDir: "/tmp/x" } });
  assert.equal(c.optim.epochs, 3);
  assert.equal(c.optim.batchSize, 4);
  assert.equal(c.run.outDir, "/tmp/x");
  assert.throws(
    () => resolveConfig("micro", { optim: { epochz: 3 } } as never),
    /unknown key "optim.epochz"/,
  );
  assert.throws(() => resolveConfig("micro", { data: { cropSize: 60 } }), /cropSize 60 must be a multiple/);
  assert.throws(() => resolveConfig("nope"), /unknown preset "nope"/);
});

Deno.test("config files: YAML and JSON with a preset key", () => {
  const y = parseConfigText("preset: tiny\noptim:\n  epochs: 7\n", "a.yaml");
  assert.equal(y.preset, "tiny");
  assert.deepEqual(y.overrides, { optim: { epochs: 7 } });
  const j = parseConfigText('{"optim": {"lr": 0.01}}', "a.json");
  assert.equal(j.preset, "micro");
  assert.throws(() => parseConfigText("- 1\n- 2\n", "list.yaml"), /mapping at the top level/);
});

Deno.test("schedules: warmup → constant, anneal decays linearly, EMA constant by default", () => {
  const c = resolveConfig("micro", {
    optim: { epochs: 10, itersPerEpoch: 10, warmupEpochs: 2, startLr: 0, lr: 1 },
  });
  assert.ok(Math.abs(hyperparametersAt(c, 9).lr - 0.5) < 1e-12); // step 10 of a 20-step warmup
  assert.equal(hyperparametersAt(c, 19).lr, 1);
  assert.equal(hyperparametersAt(c, 99).lr, 1);
  assert.equal(hyperparametersAt(c, 50).momentum, 0.99);
  assert.equal(hyperparametersAt(c, 50).weightDecay, 0.04);
  const a = resolveConfig("micro", {
    optim: { epochs: 10, itersPerEpoch: 10, lrSchedule: "anneal", lr: 1, finalLr: 0 },
  });
  assert.ok(Math.abs(hyperparametersAt(a, 49).lr - 0.5) < 1e-12);
  assert.ok(Math.abs(hyperparametersAt(a, 99).lr) < 1e-12);
  const m = resolveConfig("micro", { optim: { ema: [0.9, 1.0], epochs: 1, itersPerEpoch: 10 } });
  assert.equal(hyperparametersAt(m, 0).momentum, 0.9);
  assert.ok(Math.abs(hyperparametersAt(m, 5).momentum - 0.95) < 1e-12);
});

Deno.test("the encoder's position encoding defaults to RoPE, accepts sin-cos, and rejects anything else", () => {
  assert.equal(resolveConfig("micro").encoder.positionEncoding, "rope");
  const c = resolveConfig("micro", { encoder: { positionEncoding: "sincos" } });
  assert.equal(encoderConfig(c).positionEncoding, "sincos");
  assert.throws(
    () => resolveConfig("micro", { encoder: { positionEncoding: "learned" as never } }),
    /encoder.positionEncoding must be "rope" or "sincos"/,
  );
});

Deno.test("every configs/pretrain YAML named after a preset resolves to exactly that TypeScript preset", async () => {
  const dir = new URL("../../configs/pretrain/", import.meta.url);
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".yaml")).sort();
  assert.ok(files.length >= 8, `found ${files}`);
  let twins = 0;
  for (const file of files) {
    const path = new URL(file, dir).pathname;
    const { preset } = parseConfigText(await Deno.readTextFile(path), path);
    const fromFile = await loadConfigFile(path); // validates every variant too
    if (file === `${preset}.yaml`) {
      assert.deepEqual(fromFile, resolveConfig(preset), `${file} differs from the "${preset}" preset`);
      twins++;
    }
  }
  assert.ok(twins >= 6, `${twins} YAML twins of presets`);
});
