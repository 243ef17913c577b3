import assert from "node:assert/strict";
import { buildModels, resolveConfig, saveCheckpoint } from "@echojepa/jepa";
import { scaleInPlace } from "@echojepa/probe";
import { AdamW, init, saveSafetensors } from "@echojepa/tensor";
import { loadEncoder } from "./encoder.ts";
import { tinyConfig } from "./testing.ts";

const overrides = {
  encoder: { embedDim: 16, depth: 1, numHeads: 2, mlpHidden: 64, tubeletSize: 2, patchSize: 8 },
  predictor: { embedDim: 16, depth: 1, numHeads: 2, mlpHidden: 32, numMaskTokens: 1 },
  data: { frames: 4, cropSize: 32, frameStep: 3 },
};

async function normWeight(path: string, key?: string): Promise<{ value: number; key: string | null }> {
  const loaded = await loadEncoder(path, { key });
  const value = (await loaded.encoder.norm.weight!.toArray())[0];
  loaded.encoder.dispose();
  return { value, key: loaded.key };
}

Deno.test("loadEncoder: pretraining checkpoints by folder or JSON, target_encoder by default, --key, clear errors", async () => {
  await init();
  const dir = await Deno.makeTempDir();
  try {
    const config = resolveConfig("micro", overrides);
    const models = buildModels(config);
    // Make the target differ from the online encoder so the test sees which one was loaded.
    scaleInPlace(models.targetEncoder!.norm.weight!, 2);
    const optimizer = new AdamW(models.encoder.parameters(), { lr: 1e-3 });
    const modules = {
      encoder: models.encoder.namedParameters(),
      target_encoder: models.targetEncoder!.namedParameters(),
      predictor: models.head.namedParameters(),
    };
    const state = { step: 1, epoch: 0, config, seed: 0, lossHistory: [] };
    await saveCheckpoint(`${dir}/run/checkpoints`, ["latest"], { modules, optimizer }, state);

    const byFolder = await loadEncoder(`${dir}/run`);
    assert.equal(byFolder.key, "target_encoder");
    assert.equal(byFolder.path, `${dir}/run/checkpoints/latest.json`);
    assert.deepEqual(byFolder.training, { frames: 4, resolution: 32, frameStep: 3 });
    assert.equal(byFolder.config.embedDim, 16);
    assert.equal((await byFolder.encoder.norm.weight!.toArray())[0], 2);
    byFolder.encoder.dispose();
    assert.deepEqual(await normWeight(`${dir}/run/checkpoints/latest.json`, "encoder"), {
      value: 1,
      key: "encoder",
    });
    await assert.rejects(
      () => loadEncoder(`${dir}/run`, { key: "decoder" }),
      /--key decoder: .* has no "decoder" weights; it holds: encoder, predictor, target_encoder/,
    );
    await assert.rejects(() => loadEncoder(`${dir}/run`, { key: "predictor" }), /does not fit this ViT/);
    const weights = [...Deno.readDirSync(`${dir}/run/checkpoints`)].find((e) =>
      e.name.endsWith(".safetensors")
    )!;
    await assert.rejects(
      () => loadEncoder(`${dir}/run/checkpoints/${weights.name}`),
      /holds the weights of a pretraining checkpoint; pass the checkpoint's \.json/,
    );
    await assert.rejects(() => loadEncoder(dir), /without latest\.json or checkpoints\/latest\.json/);

    // A run without a target encoder (pixel MAE) falls back to "encoder", with a notice.
    await saveCheckpoint(`${dir}/mae`, ["latest"], {
      modules: { encoder: models.encoder.namedParameters() },
      optimizer,
    }, state);
    const notices: string[] = [];
    const mae = await loadEncoder(`${dir}/mae`, { onNotice: (m) => notices.push(m) });
    assert.equal(mae.key, "encoder");
    assert.match(notices[0], /no target_encoder/);
    mae.encoder.dispose();

    // A converted reference checkpoint: prefixed keys, no stored architecture → --config is needed.
    const prefixed = new Map(
      models.targetEncoder!.namedParameters().map(([n, t]) => [`target_encoder.module.backbone.${n}`, t]),
    );
    await Deno.writeFile(`${dir}/ref.safetensors`, await saveSafetensors(prefixed));
    await assert.rejects(
      () => loadEncoder(`${dir}/ref.safetensors`),
      /does not record its architecture; pass --config/,
    );
    await Deno.writeTextFile(`${dir}/vit.json`, JSON.stringify(tinyConfig()));
    const ref = await loadEncoder(`${dir}/ref.safetensors`, { config: `${dir}/vit.json` });
    assert.equal(ref.key, "target_encoder");
    assert.equal((await ref.encoder.norm.weight!.toArray())[0], 2);
    ref.encoder.dispose();
    await assert.rejects(
      () => loadEncoder(`${dir}/ref.safetensors`, { config: "enormous" }),
      /neither a variant/,
    );
    models.encoder.dispose();
    models.targetEncoder!.dispose();
    models.head.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadEncoder: a PyTorch .pt training checkpoint (told by content, whatever its name), --key, clear errors", async () => {
  await init();
  const dir = await Deno.makeTempDir();
  try {
    const fixture = new URL("../../tests/fixtures/torch/pretrain.pt", import.meta.url).pathname;
    // A misleading name: the format comes from the bytes.
    const path = `${dir}/weights.bin`;
    await Deno.copyFile(fixture, path);
    const config = `${dir}/tiny.json`;
    await Deno.writeTextFile(config, JSON.stringify({ embedDim: 32, depth: 2, numHeads: 4 }));
    const target = await loadEncoder(path, { config });
    assert.equal(target.key, "target_encoder");
    const online = await loadEncoder(path, { config, key: "encoder" });
    assert.equal(online.key, "encoder");
    assert.notDeepEqual(
      await target.encoder.norm.weight!.toArray(),
      await online.encoder.norm.weight!.toArray(),
    );
    target.encoder.dispose();
    online.encoder.dispose();
    await assert.rejects(() => loadEncoder(path, { config, key: "teacher" }), /it holds: .*target_encoder/);
    await assert.rejects(() => loadEncoder(path), /does not record its architecture; pass --config/);
    const legacy = new URL("../../tests/fixtures/torch/legacy.pt", import.meta.url).pathname;
    await assert.rejects(() => loadEncoder(legacy, { config }), /legacy pickle serialization.*torch\.save/s);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
