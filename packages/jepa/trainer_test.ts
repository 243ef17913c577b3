import assert from "node:assert/strict";
import { type PretrainConfigOverrides, resolveConfig } from "./config.ts";
import { readCheckpointState, readCheckpointTensors } from "./checkpoint.ts";
import { pretrain, PretrainDivergedError } from "./trainer.ts";

/** A model small enough for the software adapter: 4 frames at 32 px, 8-px patches → 2×4×4 = 32 tokens. */
function testConfig(outDir: string, extra: PretrainConfigOverrides = {}) {
  return resolveConfig("micro", {
    data: { frames: 4, cropSize: 32, phantomClips: 4 },
    encoder: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, tubeletSize: 2, patchSize: 8 },
    predictor: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, numMaskTokens: 1 },
    mae: { decoderEmbedDim: 32, decoderDepth: 1, decoderNumHeads: 2 },
    optim: {
      batchSize: 2,
      epochs: 2,
      itersPerEpoch: 3,
      warmupEpochs: 0,
      startLr: 3e-3,
      lr: 3e-3,
      finalLr: 3e-3,
    },
    run: { outDir, logEvery: 2 },
  }, extra);
}

const quiet = { verbose: false, progress: false } as const;

Deno.test("resume from an epoch checkpoint (ours, or its reference-layout .pt) reproduces the uninterrupted run", async () => {
  const dirA = await Deno.makeTempDir();
  const dirB = await Deno.makeTempDir();
  const dirC = await Deno.makeTempDir();
  try {
    const full = await pretrain(testConfig(dirA), quiet);
    assert.equal(full.lossHistory.length, 6);
    const first = await pretrain(testConfig(dirB, { run: { keepEveryEpochs: 1 } }), {
      ...quiet,
      stopAtStep: 3,
      saveTorch: true,
    });
    assert.equal(first.steps, 3);
    const { state } = await readCheckpointState(`${dirB}/checkpoints`);
    assert.equal(state.step, 3);
    const kept = await readCheckpointState(`${dirB}/checkpoints/e0001.json`);
    assert.equal(kept.state.weights, state.weights);
    // The same step-3 state as a reference-layout .pt resumes (in a fresh run folder) to the same losses.
    const fromTorch = await pretrain(testConfig(dirC), { ...quiet, resume: `${dirB}/checkpoints/latest.pt` });
    assert.equal(fromTorch.steps, 6);
    for (let i = 3; i < 6; i++) {
      assert.ok(
        Math.abs(fromTorch.lossHistory[i] - full.lossHistory[i]) <= 1e-6 * Math.abs(full.lossHistory[i]),
        `step ${i}: resumed from .pt ${fromTorch.lossHistory[i]} vs uninterrupted ${full.lossHistory[i]}`,
      );
    }
    const resumed = await pretrain(testConfig(dirB), { ...quiet, resume: true });
    assert.equal(resumed.steps, 6);
    // The kept epoch-1 weights survive later `latest` saves; superseded ones are pruned.
    const files = [...Deno.readDirSync(`${dirB}/checkpoints`)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "e0001.json",
      "e0001.pt",
      "latest.json",
      "latest.pt",
      "step-0000003.safetensors",
      "step-0000006.safetensors",
    ]);
    for (let i = 0; i < 6; i++) {
      assert.ok(
        Math.abs(resumed.lossHistory[i] - full.lossHistory[i]) <= 1e-6 * Math.abs(full.lossHistory[i]),
        `step ${i}: resumed ${resumed.lossHistory[i]} vs uninterrupted ${full.lossHistory[i]}`,
      );
    }
    assert.deepEqual(resumed.targetStdHistory.map(([s]) => s), full.targetStdHistory.map(([s]) => s));
    const metrics = (await Deno.readTextFile(`${dirA}/metrics.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(metrics.at(-1).step, 6);
    assert.ok(metrics.every((m) => Number.isFinite(m.loss) && m.lr === 3e-3));
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
    await Deno.remove(dirC, { recursive: true });
  }
});

Deno.test("a NaN mid-run stops training with a clear error and keeps the last checkpoint loadable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = testConfig(dir);
    await assert.rejects(
      () =>
        pretrain(config, {
          ...quiet,
          onBatch: (batch, step) => {
            if (step === 4) batch.data.fill(NaN);
          },
        }),
      (e: unknown) => {
        assert.ok(e instanceof PretrainDivergedError, String(e));
        assert.equal(e.step, 5);
        assert.match(e.message, /last good checkpoint/);
        return true;
      },
    );
    const { state, jsonPath } = await readCheckpointState(`${dir}/checkpoints`);
    assert.equal(state.step, 3);
    const tensors = await readCheckpointTensors(jsonPath, state);
    const values = await tensors.get("encoder.blocks.0.attn.qkv.weight")!.toArray();
    assert.ok(values.every(Number.isFinite));
    for (const t of tensors.values()) t.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a micro JEPA run on phantom clips: the loss falls and target features do not collapse", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const steps: number[] = [];
    const r = await pretrain(
      testConfig(dir, { optim: { epochs: 1, itersPerEpoch: 16 }, run: { logEvery: 4 } }),
      { ...quiet, onStep: (m) => steps.push(m.step) },
    );
    assert.deepEqual(steps, [4, 8, 12, 16]);
    const first = r.lossHistory.slice(0, 4).reduce((a, b) => a + b) / 4;
    const last = r.lossHistory.slice(-4).reduce((a, b) => a + b) / 4;
    assert.ok(last < 0.9 * first, `loss did not fall: ${r.lossHistory.map((l) => l.toFixed(3))}`);
    assert.equal(r.targetStdHistory.length, 4);
    for (const [step, std] of r.targetStdHistory) assert.ok(std > 1e-3, `target std ${std} at step ${step}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lr 1e38: non-finite weights are never checkpointed; resuming from the kept one is finite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const epochs = { optim: { itersPerEpoch: 1, epochs: 6 } };
    await pretrain(testConfig(dir, epochs), { ...quiet, stopAtStep: 2 });
    const huge = { optim: { ...epochs.optim, lr: 1e38, startLr: 1e38, finalLr: 1e38 } };
    // A leftover of an interrupted write, which the next start must remove.
    await Deno.writeTextFile(`${dir}/checkpoints/step-0000009.safetensors.tmp-99999`, "partial");
    await assert.rejects(
      () => pretrain(testConfig(dir, huge), { ...quiet, resume: true }),
      (e: unknown) => {
        assert.ok(e instanceof PretrainDivergedError, String(e));
        // The loss of the last step was still finite: only the weight check could catch this.
        assert.ok(e.tensor !== undefined, `stopped by the loss, not the weights: ${e.message}`);
        return true;
      },
    );
    const names = [...Deno.readDirSync(`${dir}/checkpoints`)].map((e) => e.name);
    assert.ok(!names.some((n) => n.includes(".tmp-")), `temp files left: ${names}`);
    const { state, jsonPath } = await readCheckpointState(`${dir}/checkpoints`);
    const tensors = await readCheckpointTensors(jsonPath, state);
    for (const [name, t] of tensors) {
      const values = await t.toArray();
      assert.ok(values.every(Number.isFinite), `${name} of kept step ${state.step} is not finite`);
      t.dispose();
    }
    const resumed = await pretrain(testConfig(dir, epochs), {
      ...quiet,
      resume: true,
      stopAtStep: state.step + 2,
    });
    assert.ok(resumed.lossHistory.slice(state.step).every(Number.isFinite), `${resumed.lossHistory}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pretraining over a manifest with missing and corrupt rows finishes, substitutes and counts them", async () => {
  const { writeAvi } = await import("@echojepa/video");
  const dir = await Deno.makeTempDir();
  try {
    const frames = Array.from(
      { length: 6 },
      (_, t) => new Uint8Array(40 * 40).map((_, i) => (i * 7 + t * 13) % 256),
    );
    const rows: string[] = [];
    for (let i = 0; i < 6; i++) {
      await Deno.writeFile(
        `${dir}/good${i}.avi`,
        writeAvi(frames, { width: 40, height: 40, channels: 1, fps: 30 }),
      );
      rows.push(`${dir}/good${i}.avi 0`);
    }
    await Deno.writeFile(`${dir}/corrupt.avi`, new Uint8Array(300).fill(7));
    rows.push(`${dir}/missing.avi 0`, `${dir}/corrupt.avi 0`);
    await Deno.writeTextFile(`${dir}/train.csv`, rows.join("\n") + "\n");
    const config = testConfig(`${dir}/run`, {
      data: { source: "manifest", path: `${dir}/train.csv`, workers: 0, frameStep: 1 },
      optim: { epochs: 1, itersPerEpoch: 6, batchSize: 2 },
    });
    const result = await pretrain(config, quiet);
    assert.equal(result.steps, 6);
    assert.ok(result.lossHistory.every(Number.isFinite));
    const total = Object.values(result.skipped).reduce((a, b) => a! + b!, 0)!;
    assert.ok(total > 0, "with 2 of 8 rows bad, 12 draws should hit one");
    assert.ok(
      (result.skipped.io ?? 0) > 0 && (result.skipped.unsupported ?? 0) > 0,
      JSON.stringify(result.skipped),
    );
    const metrics = (await Deno.readTextFile(`${dir}/run/metrics.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(metrics.at(-1).skipped, result.skipped);
    // Beyond the allowed fraction, the run stops with a clear error.
    const strict = resolveConfig("micro", {
      ...config,
      data: { ...config.data, maxUnreadableFraction: 0.1 },
    });
    await assert.rejects(() => pretrain(strict, { ...quiet, writeFiles: false }), /could not be read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
