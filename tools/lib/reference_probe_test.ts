import assert from "node:assert/strict";
import { init, noGrad, tensor, TorchCheckpoint } from "@echojepa/tensor";
import { loadReferenceProbe } from "./reference_probe.ts";

const FIXTURES = new URL("../../tests/fixtures/torch/", import.meta.url).pathname;

Deno.test("reference probe .pt: every head of the grid gives PyTorch's outputs; the best head is found", async () => {
  await init();
  const io = TorchCheckpoint.open(`${FIXTURES}probe_outputs.pt`);
  const t = io.readTensors(io.tensors());
  io.close();
  const tokens = tensor(t.get("tokens")!.data, t.get("tokens")!.shape);
  for (let head = 0; head < 3; head++) {
    const r = loadReferenceProbe(`${FIXTURES}probe.pt`, { head, attentionHeads: 4 });
    assert.deepEqual([r.task.type, r.dim, r.depth, r.head.of], ["regression", 32, 1, 3]);
    const y = noGrad(() => r.probe.forward(tokens));
    const got = await y.toArray();
    const want = t.get(`outputs.${head}`)!.data;
    assert.deepEqual(y.shape, [2, 1]);
    for (let i = 0; i < want.length; i++) {
      assert.ok(
        Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])),
        `head ${head}: ${got[i]} vs ${want[i]}`,
      );
    }
    y.dispose();
    r.probe.dispose();
  }
  const best = loadReferenceProbe(`${FIXTURES}probe.pt`, { attentionHeads: 4 });
  assert.equal(best.head.index, 1); // best_val_acc_per_head = [-5.5, -4.5, -4.9]
  assert.match(best.head.reason, /best_val_acc_per_head -4\.5/);
  best.probe.dispose();
  assert.throws(() => loadReferenceProbe(`${FIXTURES}probe.pt`, { head: 7 }), /holds heads 0…2/);
  assert.throws(() => loadReferenceProbe(`${FIXTURES}pretrain.pt`), /no attentive probe in this file/);
  tokens.dispose();
});
