import assert from "node:assert/strict";
import { floatToBfloat16, halfToFloat, TorchCheckpoint } from "@echojepa/tensor";
import { checkWithTorch, NO_TORCH_REASON } from "../packages/tensor/pytorch/testing.ts";
import { parseConvertArgs, runConvert } from "./convert.ts";

const FIXTURES = new URL("../tests/fixtures/torch/", import.meta.url).pathname;
const convert = (...args: string[]) => runConvert(parseConvertArgs(args)!);

function tensorsOf(path: string, select = ""): Map<string, Float32Array | Int32Array> {
  const c = TorchCheckpoint.open(path);
  const t = c.readTensors(c.tensors(select));
  c.close();
  return new Map([...t].map(([n, h]) => [n, h.data]));
}

Deno.test("convert: flags", () => {
  assert.deepEqual(
    parseConvertArgs(["a.pt", "b.safetensors", "--key", "target_encoder", "--dtype", "bf16"]),
    {
      input: "a.pt",
      output: "b.safetensors",
      key: "target_encoder",
      dtype: "bf16",
      list: false,
    },
  );
  assert.throws(() => parseConvertArgs(["a.pt"]), /give IN and OUT/);
  assert.throws(() => parseConvertArgs(["a.pt", "b.pt", "--dtype", "f8"]), /--dtype f8/);
});

Deno.test("convert --list: names, dtypes, shapes and the checkpoint's values", async () => {
  const text = await convert("--list", `${FIXTURES}pretrain.pt`);
  assert.match(
    text,
    /target_encoder\.module\.backbone\.patch_embed\.proj\.weight {2}float32 {2}\[32, 3, 2, 16, 16\]/,
  );
  assert.match(text, /opt\.state\.0\.exp_avg/);
  assert.match(text, /epoch = 7/);
  assert.match(text, /lr = 0\.0001/);
});

Deno.test("convert: .pt ↔ safetensors by key and whole, values exact; .pt → .pt keeps the structure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await convert(`${FIXTURES}pretrain.pt`, `${dir}/target.safetensors`, "--key", "target_encoder");
    await convert(`${dir}/target.safetensors`, `${dir}/target.pt`);
    const original = tensorsOf(`${FIXTURES}pretrain.pt`, "target_encoder");
    assert.deepEqual(tensorsOf(`${dir}/target.pt`), original);

    // The whole checkpoint through safetensors and back: the modules are nested again.
    await convert(`${FIXTURES}probe.pt`, `${dir}/probe.safetensors`);
    await convert(`${dir}/probe.safetensors`, `${dir}/probe.pt`);
    const back = TorchCheckpoint.open(`${dir}/probe.pt`);
    assert.equal((back.root as Map<string, unknown[]>).get("classifiers")!.length, 3);
    assert.deepEqual(
      new Map([...back.readTensors(back.tensors("classifiers"))].map(([n, h]) => [n, h.data])),
      tensorsOf(`${FIXTURES}probe.pt`, "classifiers"),
    );
    back.close();

    // .pt → .pt in bf16: metadata and optimizer structure survive; floats are rounded to bf16.
    await convert(`${FIXTURES}pretrain.pt`, `${dir}/pretrain-bf16.pt`, "--dtype", "bf16");
    const bf = TorchCheckpoint.open(`${dir}/pretrain-bf16.pt`);
    const root = bf.root as Map<string, unknown>;
    assert.equal(root.get("epoch"), 7);
    assert.equal(root.get("lr"), 1e-4);
    assert.equal(((root.get("opt") as Map<string, unknown>).get("param_groups") as unknown[]).length, 4);
    const w = bf.readTensors(bf.tensors("encoder")).get("module.backbone.norm.weight")!.data;
    const w0 = tensorsOf(`${FIXTURES}pretrain.pt`, "encoder").get("module.backbone.norm.weight")!;
    const rounded = new Float32Array(new Uint32Array([...w0].map((x) => floatToBfloat16(x) << 16)).buffer);
    assert.deepEqual(w, rounded);
    bf.close();

    await convert(
      `${FIXTURES}probe.pt`,
      `${dir}/head.safetensors`,
      "--key",
      "classifiers.1",
      "--dtype",
      "f16",
    );
    const head = await convert("--list", `${dir}/head.safetensors`);
    assert.match(head, /module\.regressor\.weight {2}F16 {2}\[1, 32\]/);
    assert.ok(Number.isFinite(halfToFloat(0x3c00)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "convert: PyTorch loads the .pt we write from safetensors with weights_only=True (same bits)",
  ignore: NO_TORCH_REASON !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await convert(`${FIXTURES}pretrain.pt`, `${dir}/t.safetensors`, "--key", "target_encoder");
      await convert(`${dir}/t.safetensors`, `${dir}/t.pt`);
      const seen = checkWithTorch(["digest", `${dir}/t.pt`]) as {
        tensors: Record<string, { bits: number[] }>;
      };
      const want = tensorsOf(`${FIXTURES}pretrain.pt`, "target_encoder");
      for (const [name, data] of want) {
        assert.deepEqual(seen.tensors[name].bits, [...new Int32Array(Float32Array.from(data).buffer)], name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
