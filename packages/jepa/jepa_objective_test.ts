import assert from "node:assert/strict";
import { gather, init, noGrad, randn, type Tensor, tensor } from "@echojepa/tensor";
import { VisionTransformer, vitConfig } from "@echojepa/vit";
import { resolveConfig } from "./config.ts";
import { jepaLoss, targetFeatures } from "./jepa_objective.ts";
import { MultiBlockMaskCollator } from "./mask_collator.ts";
import { Predictor } from "./predictor.ts";
import { buildModels } from "./models.ts";
import { pretrain } from "./trainer.ts";

const arr = async (t: Tensor): Promise<Float32Array> => (await t.toArray()) as Float32Array;

Deno.test("JEPA loss equals the mean L1 between predictions and layer-normalised gathered targets", async () => {
  await init();
  const vc = vitConfig({ embedDim: 24, depth: 1, numHeads: 2, patchSize: 8 });
  const encoder = new VisionTransformer(vc, { seed: 1 });
  const target = new VisionTransformer(vc, { seed: 2 });
  const predictor = new Predictor({ inputDim: 24, embedDim: 16, depth: 1, numHeads: 2, seed: 3 });
  const grid = { t: 2, h: 4, w: 4 };
  const sets = new MultiBlockMaskCollator(grid, { seed: 5 }).sample(2, 0);
  const clips = randn([2, 3, 4, 32, 32], 1, 0, { seed: 9 });

  const { loss, setLosses, targetStd } = jepaLoss(encoder, target, predictor, clips, sets, grid);
  const h = targetFeatures(target, clips);
  // Parameter-free LayerNorm: every token has mean 0 and variance 1 over its features.
  const hv = await arr(h);
  for (let tok = 0; tok < 4; tok++) {
    const row = hv.subarray(tok * 24, tok * 24 + 24);
    const m = row.reduce((a, b) => a + b, 0) / 24;
    const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 24;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-3, `token ${tok}: mean ${m}, var ${v}`);
  }
  let expected = 0;
  for (const [j, m] of sets.entries()) {
    const [p, t] = noGrad(() => {
      const z = encoder.forward(clips, { keep: tensor(m.context, [2, m.contextLength], "i32") });
      return [predictor.forward(z, m, grid), gather(h, tensor(m.target, [2, m.targetLength], "i32"))];
    });
    const pv = await arr(p);
    const tv = await arr(t);
    let s = 0;
    for (let i = 0; i < pv.length; i++) s += Math.abs(pv[i] - tv[i]);
    const setLoss = s / pv.length;
    assert.ok(Math.abs((await setLosses[j].item()) - setLoss) < 1e-5, `set ${j}`);
    expected += setLoss / sets.length;
  }
  assert.ok(Math.abs((await loss.item()) - expected) < 1e-5, `loss ${await loss.item()} vs ${expected}`);
  assert.ok((await targetStd.item()) > 0);
  for (const m of [encoder, target, predictor]) m.dispose();
});

Deno.test("EMA: after one step the target is m·θ₀ + (1 − m)·θ₁", async () => {
  const config = resolveConfig("micro", {
    data: { frames: 4, cropSize: 32, phantomClips: 2 },
    encoder: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, tubeletSize: 2, patchSize: 8 },
    predictor: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, numMaskTokens: 1 },
    optim: {
      batchSize: 2,
      epochs: 1,
      itersPerEpoch: 1,
      warmupEpochs: 0,
      lr: 1e-2,
      startLr: 1e-2,
      ema: [0.9, 0.9],
    },
  });
  const initial = buildModels(config);
  const result = await pretrain(config, { writeFiles: false, verbose: false, progress: false });
  for (const name of ["blocks.0.attn.qkv.weight", "patch_embed.proj.weight", "norm.bias"]) {
    const t0 = await arr(initial.encoder.stateDict().get(name)!);
    const t1 = await arr(result.encoder.stateDict().get(name)!);
    const target = await arr(result.targetEncoder!.stateDict().get(name)!);
    assert.ok(t1.some((v, i) => v !== t0[i]), `${name} was updated`);
    for (let i = 0; i < t0.length; i++) {
      assert.ok(Math.abs(target[i] - (0.9 * t0[i] + 0.1 * t1[i])) < 1e-6, `${name}[${i}]`);
    }
  }
});
