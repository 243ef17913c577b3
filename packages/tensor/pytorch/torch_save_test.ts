import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { floatToBfloat16, floatToHalf, halfToFloat } from "../half.ts";
import { TorchCheckpoint } from "./torch_load.ts";
import { PyFloat, SaveTensor, saveTorchCheckpoint, writeTorchCheckpoint } from "./torch_save.ts";
import { checkWithTorch, NO_TORCH_REASON } from "./testing.ts";

const values = new Float32Array([1, -2.5, 3.1415927, 1e-7, 65504, -0]);

function sample(): Map<string, unknown> {
  return new Map<string, unknown>([
    [
      "weights",
      new Map([["a", new SaveTensor([2, 3], values)], [
        "n",
        new SaveTensor([3], new Int32Array([1, -2, 3])),
      ]]),
    ],
    ["half", new SaveTensor([6], values, "float16")],
    ["brain", new SaveTensor([6], values, "bfloat16")],
    ["lazy", new SaveTensor([2], () => Promise.resolve(new Float32Array([7, 8])))],
    ["epoch", 3],
    ["lr", 1.5e-4],
    ["loss", new PyFloat(0)],
    ["betas", Object.freeze([0.9, 0.999])],
    ["groups", [{ params: [0, 1], weight_decay: 0 }]],
    ["scaler", null],
    ["state", new Map([[0, { step: new SaveTensor([], new Float32Array([5])) }]])],
  ]);
}

Deno.test("our writer's files read back with the same values, structure and dtypes", async () => {
  const bytes = await saveTorchCheckpoint(sample() as never);
  const c = TorchCheckpoint.open(bytes);
  const root = c.root as Map<string, unknown>;
  const t = c.readTensors(c.tensors());
  deepStrictEqual([...t.get("weights.a")!.data], [...values]);
  deepStrictEqual(t.get("weights.a")!.shape, [2, 3]);
  deepStrictEqual([...t.get("weights.n")!.data], [1, -2, 3]);
  strictEqual(c.tensors().get("weights.n")!.storage.dtype, "int64");
  strictEqual(c.tensors().get("half")!.storage.dtype, "float16");
  deepStrictEqual([...t.get("lazy")!.data], [7, 8]);
  deepStrictEqual(t.get("state.0.step")!.shape, []);
  strictEqual(root.get("lr"), 1.5e-4);
  strictEqual(root.get("loss"), 0);
  deepStrictEqual(root.get("betas"), [0.9, 0.999]);
  strictEqual(root.get("scaler"), null);
  deepStrictEqual((root.get("groups") as Map<string, unknown>[])[0].get("params"), [0, 1]);
  c.close();
  // Storage data starts 64-byte aligned, as torch.save aligns it (PyTorch can mmap it).
  const dir = new TextDecoder("latin1").decode(bytes);
  ok(dir.includes("archive/data/0") && dir.includes("archive/version") && dir.includes("archive/byteorder"));
});

Deno.test({
  name: "PyTorch loads our files with weights_only=True and sees the same values (f32, f16, bf16, int64)",
  ignore: NO_TORCH_REASON !== null,
  async fn() {
    const path = await Deno.makeTempFile({ suffix: ".pt" });
    try {
      await writeTorchCheckpoint(path, sample() as never);
      const seen = checkWithTorch(["digest", path]) as {
        tensors: Record<string, { dtype: string; shape: number[]; bits: number[] }>;
        meta: Record<string, unknown>;
      };
      const bits = (xs: ArrayLike<number>) => [...new Int32Array(Float32Array.from(xs).buffer)];
      deepStrictEqual(seen.tensors["weights.a"], { dtype: "float32", shape: [2, 3], bits: bits(values) });
      strictEqual(seen.tensors["weights.n"].dtype, "int64");
      deepStrictEqual(seen.tensors["weights.n"].bits, bits([1, -2, 3]));
      // PyTorch's own f16/bf16 → f32 of what we wrote equals our rounding of the same values.
      const half = new Uint16Array([...values].map(floatToHalf));
      const brain = new Uint16Array([...values].map(floatToBfloat16));
      strictEqual(seen.tensors["half"].dtype, "float16");
      strictEqual(seen.tensors["brain"].dtype, "bfloat16");
      deepStrictEqual(seen.tensors["brain"].bits, [...brain].map((b) => (b << 16) | 0));
      deepStrictEqual(seen.tensors["half"].bits, bits([...half].map(halfToFloat)));
      deepStrictEqual(seen.tensors["state.0.step"].shape, []);
      deepStrictEqual(seen.meta.betas, [0.9, 0.999]);
      strictEqual(seen.meta.lr, 1.5e-4);
      strictEqual(seen.meta.epoch, 3);
    } finally {
      await Deno.remove(path);
    }
  },
});
