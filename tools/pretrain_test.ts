import assert from "node:assert/strict";
import { configFromArgs } from "./pretrain.ts";

Deno.test("pretrain CLI: flags override the preset or config file", async () => {
  const parsed = await configFromArgs([
    "--objective",
    "mae",
    "--epochs",
    "3",
    "--lr",
    "0.002",
    "--out",
    "/tmp/r",
  ]);
  assert.ok(parsed);
  assert.equal(parsed.config.name, "micro");
  assert.equal(parsed.config.objective, "mae");
  assert.equal(parsed.config.optim.epochs, 3);
  assert.equal(parsed.config.optim.lr, 0.002);
  assert.equal(parsed.config.run.outDir, "/tmp/r");
  assert.equal(parsed.resume, false);
  assert.equal(parsed.saveTorch, false);
  const resumed = await configFromArgs([
    "--preset",
    "tiny",
    "--resume-from",
    "runs/x/checkpoints/latest.pt",
    "--save-pt",
    "--data-path",
    "m.csv",
  ]);
  assert.equal(resumed!.resume, "runs/x/checkpoints/latest.pt");
  assert.equal(resumed!.saveTorch, true);
  assert.equal(resumed!.config.data.source, "manifest");
  assert.equal(await configFromArgs(["--help"]), null);
  await assert.rejects(() => configFromArgs(["--epochs", "many"]), /--epochs: expected a number/);
});

Deno.test("every file in configs/pretrain resolves", async () => {
  const dir = new URL("../configs/pretrain/", import.meta.url);
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".yaml") && !e.name.endsWith(".json")) continue;
    const parsed = await configFromArgs(["--config", new URL(e.name, dir).pathname]);
    assert.ok(parsed!.config.optim.epochs > 0, e.name);
    n++;
  }
  assert.ok(n >= 4);
});
