import assert from "node:assert/strict";
import { AdamW, init, noGrad, tensor, TorchCheckpoint, weightDecayGroups } from "@echojepa/tensor";
import { checkWithTorch, NO_TORCH_REASON } from "../tensor/pytorch/testing.ts";
import type { CheckpointParts } from "./checkpoint.ts";
import { resolveConfig } from "./config.ts";
import { buildModels } from "./models.ts";
import type { Predictor } from "./predictor.ts";
import {
  referenceParamGroups,
  restoreTorchPretrainCheckpoint,
  saveTorchPretrainCheckpoint,
} from "./torch_checkpoint.ts";

const FIXTURE = new URL("../../tests/fixtures/torch/pretrain.pt", import.meta.url).pathname;

/** Models with the fixture's architecture (tests/fixtures/make_torch_checkpoints.py: D 32, 2 blocks, 4 heads). */
function fixtureParts(): { parts: CheckpointParts; predictor: Predictor; dispose: () => void } {
  const c = resolveConfig("micro", {
    data: { frames: 4, cropSize: 32 },
    encoder: { embedDim: 32, depth: 2, numHeads: 4, mlpHidden: 128, tubeletSize: 2, patchSize: 16 },
    predictor: { embedDim: 16, depth: 1, numHeads: 2, mlpHidden: 64, numMaskTokens: 10 },
  });
  const { encoder, targetEncoder, head } = buildModels(c);
  const trainable = [
    ...encoder.namedParameters().map(([n, t]): [string, typeof t] => [`encoder.${n}`, t]),
    ...head.namedParameters().map(([n, t]): [string, typeof t] => [`predictor.${n}`, t]),
  ];
  const optimizer = new AdamW(weightDecayGroups(trainable, 0.04), {
    lr: 1e-4,
    weightDecay: 0.04,
  });
  const parts = {
    modules: {
      encoder: encoder.namedParameters(),
      target_encoder: targetEncoder!.namedParameters(),
      predictor: head.namedParameters(),
    },
    optimizer,
  };
  return {
    parts,
    predictor: head,
    dispose: () => {
      encoder.dispose();
      targetEncoder!.dispose();
      head.dispose();
      optimizer.dispose();
    },
  };
}

Deno.test("a reference trainer's .pt restores weights and AdamW state by the reference's parameter ids", async () => {
  await init();
  const { parts, dispose } = fixtureParts();
  try {
    const at = restoreTorchPretrainCheckpoint(FIXTURE, parts, 10);
    assert.deepEqual(at, { step: 1, epoch: 7 });
    const ckpt = TorchCheckpoint.open(FIXTURE);
    const target = ckpt.readTensors(ckpt.tensors("target_encoder"));
    ckpt.close();
    for (const [name, t] of parts.modules.target_encoder) {
      assert.deepEqual(await t.toArray(), target.get(`module.backbone.${name}`)!.data, name);
    }
    // The fixture took one AdamW step (lr 1e-4, wd 0.04 on decayed groups) on loss Σp², so g = 2p₀, exp_avg = 0.2p₀
    // and p₁ = p₀(1 − lr·wd) − lr·sign(p₀): each parameter must meet the moments restored for its id.
    const groups = referenceParamGroups(parts);
    for (const [gi, g] of groups.entries()) {
      const wd = gi < 2 ? 0.04 : 0;
      for (const { module, name, param } of g) {
        const s = parts.optimizer.paramState(param)!;
        assert.equal(s.step, 1, `${module}.${name}`);
        const m = await s.buffers.exp_avg.toArray();
        const p = await param.toArray();
        for (let i = 0; i < p.length; i++) {
          const p0 = m[i] / 0.2;
          const want = p0 * (1 - 1e-4 * wd) - 1e-4 * Math.sign(p0);
          assert.ok(Math.abs(p[i] - want) <= 2e-7, `${module}.${name}[${i}]: ${p[i]} vs ${want}`);
        }
      }
    }
  } finally {
    dispose();
  }
});

Deno.test("the predictor of a PyTorch-written training checkpoint gives PyTorch's outputs", async () => {
  await init();
  const { parts, predictor, dispose } = fixtureParts();
  try {
    restoreTorchPretrainCheckpoint(FIXTURE, parts, 10);
    const io = TorchCheckpoint.open(
      new URL("../../tests/fixtures/torch/predictor_outputs.pt", import.meta.url).pathname,
    );
    const t = io.readTensors(io.tensors());
    io.close();
    const context = tensor(t.get("context")!.data, t.get("context")!.shape);
    const y = noGrad(() =>
      predictor.forward(context, {
        context: Int32Array.from(t.get("masks_x")!.data),
        target: Int32Array.from(t.get("masks_y")!.data),
        contextLength: 3,
        targetLength: 4,
        batchSize: 2,
      }, { t: 2, h: 2, w: 2 })
    );
    const got = await y.toArray();
    const want = t.get("output")!.data;
    assert.deepEqual(y.shape, t.get("output")!.shape);
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    }
    assert.ok(worst <= 1e-5, `max relative error ${worst}`);
    y.dispose();
    context.dispose();
  } finally {
    dispose();
  }
});

Deno.test("our reference-layout .pt restores to the same weights, moments and steps", async () => {
  await init();
  const a = fixtureParts();
  const b = fixtureParts();
  const dir = await Deno.makeTempDir();
  try {
    restoreTorchPretrainCheckpoint(FIXTURE, a.parts, 10);
    await saveTorchPretrainCheckpoint(`${dir}/latest.pt`, a.parts, {
      epoch: 7,
      step: 1,
      itersPerEpoch: 10,
      loss: 0.5,
      batchSize: 4,
    });
    assert.deepEqual(restoreTorchPretrainCheckpoint(`${dir}/latest.pt`, b.parts, 10), { step: 1, epoch: 7 });
    for (const module of Object.keys(a.parts.modules)) {
      const theirs = new Map(b.parts.modules[module]);
      for (const [name, t] of a.parts.modules[module]) {
        assert.deepEqual(await theirs.get(name)!.toArray(), await t.toArray(), `${module}.${name}`);
        const sa = a.parts.optimizer.paramState(t);
        const sb = b.parts.optimizer.paramState(theirs.get(name)!);
        assert.equal(sb?.step, sa?.step);
        if (sa) {
          assert.deepEqual(await sb!.buffers.exp_avg_sq.toArray(), await sa.buffers.exp_avg_sq.toArray());
        }
      }
    }
    const root = TorchCheckpoint.open(`${dir}/latest.pt`);
    const keys = [...(root.root as Map<string, unknown>).keys()].sort();
    root.close();
    assert.deepEqual(keys, [
      "batch_size",
      "encoder",
      "epoch",
      "itr",
      "loss",
      "lr",
      "opt",
      "predictor",
      "scaler",
      "target_encoder",
      "world_size",
    ]);
  } finally {
    a.dispose();
    b.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "PyTorch resumes from our .pt as the reference trainer does (strict modules, opt.load_state_dict)",
  ignore: NO_TORCH_REASON !== null,
  async fn() {
    await init();
    const { parts, dispose } = fixtureParts();
    const dir = await Deno.makeTempDir();
    try {
      restoreTorchPretrainCheckpoint(FIXTURE, parts, 10);
      await saveTorchPretrainCheckpoint(`${dir}/latest.pt`, parts, {
        epoch: 7,
        step: 1,
        itersPerEpoch: 10,
        loss: 0.5,
        batchSize: 4,
      });
      const seen = checkWithTorch(["resume", `${dir}/latest.pt`]) as {
        params: Record<string, { sum: number; step: number | null; exp_avg: number | null }>;
        groups: { size: number; weight_decay: number; lr: number; WD_exclude?: boolean }[];
        meta: Record<string, unknown>;
      };
      const sum = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v, 0);
      for (const [module, named] of Object.entries(parts.modules)) {
        for (const [name, t] of named) {
          const p = seen.params[`${module}.${name}`];
          assert.ok(p, `${module}.${name} missing in PyTorch`);
          assert.ok(
            Math.abs(p.sum - sum(await t.toArray())) <= 1e-9 + 1e-9 * Math.abs(p.sum),
            `${module}.${name}`,
          );
          const s = parts.optimizer.paramState(t);
          if (module === "target_encoder") continue;
          assert.equal(p.step, s!.step, `${module}.${name} step`);
          assert.ok(
            Math.abs(p.exp_avg! - sum(await s!.buffers.exp_avg.toArray())) <= 1e-9,
            `${module}.${name} m`,
          );
        }
      }
      assert.deepEqual(seen.groups.map((g) => [g.size, g.weight_decay, g.WD_exclude ?? false]), [
        [9, 0.04, false],
        [16, 0.04, false],
        [19, 0, true],
        [12, 0, true],
      ]);
      assert.equal(seen.meta.epoch, 7);
      assert.equal(seen.meta.world_size, 1);
      assert.equal((seen.meta.scaler as Record<string, number>).scale, 65536);
    } finally {
      dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
