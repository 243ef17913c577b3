import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { init, noGrad, saveSafetensors, tensor, TorchCheckpoint } from "@echojepa/tensor";
import { loadVit, vitConfig } from "./mod.ts";

await init();
const FIXTURES = new URL("../../tests/fixtures/torch/", import.meta.url).pathname;
/** The tiny architecture of tests/fixtures/make_torch_checkpoints.py. */
const TINY = vitConfig({ embedDim: 32, depth: 2, numHeads: 4 }, { imageSize: 32, numFrames: 4 });

function pytorchOutputs(): { clip: Float32Array; target: Float32Array; encoder: Float32Array } {
  const io = TorchCheckpoint.open(`${FIXTURES}pretrain_outputs.pt`);
  const t = io.readTensors(io.tensors());
  io.close();
  return {
    clip: t.get("clip")!.data as Float32Array,
    target: t.get("target_encoder")!.data as Float32Array,
    encoder: t.get("encoder")!.data as Float32Array,
  };
}

function maxRelativeError(got: Float32Array, want: Float32Array): number {
  let worst = 0;
  const scale = Math.max(...want.map(Math.abs));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  return worst;
}

Deno.test("a PyTorch training checkpoint's target_encoder (default) and encoder give PyTorch's outputs", async () => {
  const io = pytorchOutputs();
  const clip = tensor(io.clip, [2, 3, 4, 32, 32]);
  for (const [key, want] of [[undefined, io.target], ["encoder", io.encoder]] as const) {
    const model = loadVit(`${FIXTURES}pretrain.pt`, TINY, { key });
    model.eval();
    const y = noGrad(() => model.forward(clip));
    deepStrictEqual(y.shape, [2, 8, 32]);
    const err = maxRelativeError((await y.toArray()) as Float32Array, want);
    ok(err <= 1e-5, `${key ?? "target_encoder"}: max relative error ${err}`);
    y.dispose();
    model.dispose();
  }
  clip.dispose();
});

Deno.test("the same checkpoint converted to safetensors (same key names) loads to the same weights", async () => {
  const fromPt = loadVit(`${FIXTURES}pretrain.pt`, TINY);
  const ckpt = TorchCheckpoint.open(`${FIXTURES}pretrain.pt`);
  const host = ckpt.readTensors(ckpt.tensors());
  ckpt.close();
  const gpu = new Map([...host].map(([n, h]) => [n, tensor(h.data, h.shape, h.dtype)]));
  const st = await saveSafetensors(gpu);
  for (const t of gpu.values()) t.dispose();
  const fromSt = loadVit(st, TINY);
  const a = fromPt.stateDict();
  const b = fromSt.stateDict();
  for (const [name, t] of a) deepStrictEqual(await t.toArray(), await b.get(name)!.toArray(), name);
  fromPt.dispose();
  fromSt.dispose();
});

Deno.test("asking for a module the checkpoint lacks lists what it holds", () => {
  throws(
    () => loadVit(`${FIXTURES}pretrain.pt`, TINY, { key: "teacher" }),
    /no "teacher" weights in this file; it holds: encoder, predictor, target_encoder, opt/,
  );
  throws(() => loadVit(`${FIXTURES}pretrain.pt`), /pass the configuration/);
});
