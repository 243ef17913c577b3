import assert from "node:assert/strict";
import { init, randn, tensor } from "@echojepa/tensor";
import { vitConfig } from "@echojepa/vit";
import { resolveConfig } from "./config.ts";
import { maePixelTargets, tubeMasks } from "./mae.ts";
import { pretrain } from "./trainer.ts";

Deno.test("tube masks hide the same 90% of patch positions in every tubelet", () => {
  const grid = { t: 4, h: 5, w: 6 };
  const m = tubeMasks(grid, 0.9, 3, 7, 0);
  assert.equal(m.targetLength, 27 * 4); // int(0.9 · 30) = 27 per tubelet
  assert.equal(m.contextLength, 3 * 4);
  for (let b = 0; b < 3; b++) {
    const tgt = [...m.target.subarray(b * m.targetLength, (b + 1) * m.targetLength)];
    const ctx = [...m.context.subarray(b * m.contextLength, (b + 1) * m.contextLength)];
    assert.equal(new Set([...tgt, ...ctx]).size, 120);
    const planeOf = (ids: number[], t: number) =>
      ids.filter((i) => Math.floor(i / 30) === t).map((i) => i % 30);
    for (let t = 1; t < 4; t++) assert.deepEqual(planeOf(ctx, t), planeOf(ctx, 0));
  }
  assert.notDeepEqual(tubeMasks(grid, 0.9, 3, 7, 1).context, m.context);
  assert.throws(() => tubeMasks(grid, 0.01, 1, 0, 0), /hides 0 of 30/);
});

Deno.test("MAE targets are the hidden tubelets, normalised per channel", async () => {
  await init();
  const vc = vitConfig({ embedDim: 8, depth: 1, numHeads: 2, patchSize: 4 });
  const clips = randn([1, 3, 2, 8, 8], 2, 1, { seed: 1 }); // one tubelet × 2×2 patches of 3·2·4·4 = 96 values
  const ids = tensor(Int32Array.from([3, 1]), [1, 2], "i32");
  const raw = (await maePixelTargets(clips, vc, ids, false).toArray()) as Float32Array;
  const normed = (await maePixelTargets(clips, vc, ids, true).toArray()) as Float32Array;
  const x = (await clips.toArray()) as Float32Array;
  // Token 3 = patch row 1, column 1; first value: channel 0, frame 0, pixel (4, 4).
  assert.equal(raw[0], x[0 * 128 + 0 * 64 + 4 * 8 + 4]);
  for (let k = 0; k < 2 * 3; k++) {
    const part = normed.subarray(k * 32, k * 32 + 32);
    const m = part.reduce((a, b) => a + b, 0) / 32;
    const v = part.reduce((a, b) => a + (b - m) ** 2, 0) / 32;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-3, `tubelet-channel ${k}: mean ${m} var ${v}`);
  }
});

Deno.test("MAE pretraining (with gradient clipping) on phantom clips runs and its loss falls", async () => {
  const config = resolveConfig("micro", {
    objective: "mae",
    data: { frames: 4, cropSize: 32, phantomClips: 2 },
    encoder: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, tubeletSize: 2, patchSize: 8 },
    mae: { maskRatio: 0.75, decoderEmbedDim: 32, decoderDepth: 1, decoderNumHeads: 2 },
    optim: {
      batchSize: 2,
      epochs: 1,
      itersPerEpoch: 12,
      warmupEpochs: 0,
      lr: 3e-3,
      startLr: 3e-3,
      finalLr: 3e-3,
      clipGradNorm: 1,
    },
    run: { logEvery: 4 },
  });
  const r = await pretrain(config, { writeFiles: false, verbose: false, progress: false });
  assert.equal(r.targetEncoder, null);
  const first = r.lossHistory.slice(0, 3).reduce((a, b) => a + b) / 3;
  const last = r.lossHistory.slice(-3).reduce((a, b) => a + b) / 3;
  assert.ok(last < first, `MAE loss did not fall: ${r.lossHistory.map((l) => l.toFixed(3))}`);
});
