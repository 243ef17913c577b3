import assert from "node:assert/strict";
import { init, tensor, TorchCheckpoint } from "@echojepa/tensor";
import { checkWithTorch, NO_TORCH_REASON } from "../tensor/pytorch/testing.ts";
import { AttentiveProbe } from "./attentive_probe.ts";
import { saveTorchProbeFile } from "./torch_probe_file.ts";

const FIXTURES = new URL("../../tests/fixtures/torch/", import.meta.url).pathname;

/** The three heads of the PyTorch-written fixture probe.pt (D 32, 4 attention heads, depth 1), as our probes. */
function fixtureHeads(): AttentiveProbe[] {
  const ckpt = TorchCheckpoint.open(`${FIXTURES}probe.pt`);
  try {
    return [0, 1, 2].map((i) => {
      const p = new AttentiveProbe({ dim: 32, outputs: 1, kind: "regressor", depth: 1, numHeads: 4 });
      const host = ckpt.readTensors(ckpt.tensors(`classifiers.${i}`));
      const state = new Map([...host].map(([n, h]) => [n.replace(/^module\./, ""), tensor(h.data, h.shape)]));
      p.loadStateDict(state);
      for (const t of state.values()) t.dispose();
      return p;
    });
  } finally {
    ckpt.close();
  }
}

const info = {
  epoch: 20,
  batchSize: 8,
  hyper: [{ lr: 1e-4, weightDecay: 0.01 }, { lr: 1e-4, weightDecay: 0.1 }, { lr: 5e-5, weightDecay: 0.4 }],
  valScorePerHead: [-6.1, -4.2, -5.0],
};

Deno.test("probe file: the reference's layout, heads bit-exact, per-head scores recorded", async () => {
  await init();
  const heads = fixtureHeads();
  const dir = await Deno.makeTempDir();
  try {
    await saveTorchProbeFile(`${dir}/probe.pt`, heads, info);
    const ours = TorchCheckpoint.open(`${dir}/probe.pt`);
    const theirs = TorchCheckpoint.open(`${FIXTURES}probe.pt`);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(
        ours.readTensors(ours.tensors(`classifiers.${i}`)),
        theirs.readTensors(theirs.tensors(`classifiers.${i}`)),
      );
    }
    const root = ours.root as Map<string, unknown>;
    assert.deepEqual(root.get("best_val_acc_per_head"), [-6.1, -4.2, -5.0]);
    assert.equal((root.get("opt") as unknown[]).length, 3);
    ours.close();
    theirs.close();
    await assert.rejects(
      () => saveTorchProbeFile(`${dir}/x.pt`, heads, { ...info, hyper: [] }),
      /3 heads, 0 grid/,
    );
  } finally {
    heads.forEach((h) => h.dispose());
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "probe file: PyTorch loads it as the reference's evaluation does and computes the original outputs",
  ignore: NO_TORCH_REASON !== null,
  async fn() {
    await init();
    const heads = fixtureHeads();
    const dir = await Deno.makeTempDir();
    try {
      await saveTorchProbeFile(`${dir}/probe.pt`, heads, info);
      const seen = checkWithTorch(["probe", `${dir}/probe.pt`, "4"]) as { outputs: number[][] };
      const io = TorchCheckpoint.open(`${FIXTURES}probe_outputs.pt`);
      const want = io.readTensors(io.tensors("outputs"));
      io.close();
      for (let i = 0; i < 3; i++) {
        const w = want.get(String(i))!.data;
        seen.outputs[i].forEach((y, j) =>
          assert.ok(Math.abs(y - w[j]) <= 1e-6, `head ${i}: ${y} vs ${w[j]}`)
        );
      }
    } finally {
      heads.forEach((h) => h.dispose());
      await Deno.remove(dir, { recursive: true });
    }
  },
});
