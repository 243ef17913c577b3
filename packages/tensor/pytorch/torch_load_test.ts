import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { TorchCheckpointError } from "./errors.ts";
import { TorchTensorRef } from "./pickle_reader.ts";
import { TorchCheckpoint } from "./torch_load.ts";

const FIXTURES = new URL("../../../tests/fixtures/torch/", import.meta.url).pathname;

Deno.test("every dtype, views and shared storages load bit-exactly as PyTorch's .float()/.int()", () => {
  const ckpt = TorchCheckpoint.open(`${FIXTURES}tensors.pt`);
  const expected = TorchCheckpoint.open(`${FIXTURES}tensors_expected.pt`);
  try {
    const got = ckpt.readTensors(ckpt.tensors("state"));
    const want = expected.readTensors(expected.tensors());
    deepStrictEqual([...got.keys()], [...want.keys()]);
    for (const [name, w] of want) {
      const g = got.get(name)!;
      deepStrictEqual(g.shape, w.shape, name);
      // Expected floats are stored as their int32 bit patterns: compare bits, so -0, NaN and rounding count.
      const bits = g.dtype === "f32"
        ? new Int32Array(g.data.buffer, g.data.byteOffset, g.data.length)
        : g.data;
      deepStrictEqual([...bits], [...w.data], name);
    }
    const refs = ckpt.tensors("state");
    strictEqual(refs.get("shared_a")!.storage, refs.get("shared_b")!.storage, "one storage, two views");
    deepStrictEqual(refs.get("transposed")!.stride, [1, 4]);
    strictEqual(refs.get("offset_slice")!.offset, 5);
    strictEqual(refs.get("param")!.requiresGrad, true);
  } finally {
    ckpt.close();
    expected.close();
  }
});

Deno.test("metadata comes back as plain values: ints, floats, strings, tuples, lists, None, nested dicts", () => {
  const ckpt = TorchCheckpoint.open(Deno.readFileSync(`${FIXTURES}tensors.pt`));
  const meta = (ckpt.root as Map<string, unknown>).get("meta") as Map<string, unknown>;
  strictEqual(meta.get("epoch"), 3);
  strictEqual(meta.get("lr"), 1.5e-4);
  strictEqual(meta.get("loss"), 0.25);
  deepStrictEqual(meta.get("betas"), [0.9, 0.999]);
  ok(Object.isFrozen(meta.get("betas")), "tuples are frozen arrays");
  strictEqual(meta.get("name"), "tiny");
  deepStrictEqual(meta.get("flags"), [true, null]);
  strictEqual(meta.get("big"), 2 ** 40);
  deepStrictEqual((meta.get("nested") as Map<string, unknown>).get("a"), [1, 2, "x"]);
});

Deno.test("pretraining and probe layouts: module prefixes, optimizer state, the grid of heads", () => {
  const pre = TorchCheckpoint.open(`${FIXTURES}pretrain.pt`);
  const root = pre.root as Map<string, unknown>;
  deepStrictEqual(
    [...root.keys()],
    [
      "encoder",
      "predictor",
      "target_encoder",
      "opt",
      "scaler",
      "epoch",
      "loss",
      "batch_size",
      "world_size",
      "lr",
      "itr",
    ],
  );
  ok(pre.tensors("target_encoder").has("module.backbone.blocks.1.attn.qkv.weight"));
  ok(pre.tensors("predictor").has("module.backbone.mask_tokens.9"));
  const opt = root.get("opt") as Map<string, unknown>;
  const state = opt.get("state") as Map<number, Map<string, unknown>>;
  ok(state.get(0)!.get("exp_avg") instanceof TorchTensorRef, "AdamW state is keyed by parameter index");
  strictEqual((opt.get("param_groups") as unknown[]).length, 4);
  pre.close();
  const probe = TorchCheckpoint.open(`${FIXTURES}probe.pt`);
  ok(probe.tensors("classifiers.2").has("module.regressor.weight"));
  probe.close();
});

Deno.test("hostile and foreign files give typed errors naming the problem, and run nothing", () => {
  const kindOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      ok(e instanceof TorchCheckpointError, String(e));
      return `${e.kind}: ${e.message}`;
    }
    return "no error";
  };
  const evil = kindOf(() => TorchCheckpoint.open(`${FIXTURES}malicious_reduce.pt`));
  ok(evil.startsWith("forbidden-global") && evil.includes("posix.system"), evil);
  let pwned = true;
  try {
    Deno.statSync("/tmp/echojepa-pwned");
  } catch {
    pwned = false;
  }
  strictEqual(pwned, false);
  const legacy = kindOf(() => TorchCheckpoint.open(`${FIXTURES}legacy.pt`));
  ok(legacy.startsWith("legacy-format") && legacy.includes("torch.save(torch.load("), legacy);
  throws(() => TorchCheckpoint.open(new TextEncoder().encode("hello world")), /neither a PyTorch checkpoint/);
});

Deno.test("truncated and bit-flipped files give typed errors", () => {
  const bytes = Deno.readFileSync(`${FIXTURES}tensors.pt`);
  for (const cut of [10, 100, bytes.length / 2, bytes.length - 30, bytes.length - 1]) {
    throws(
      () => TorchCheckpoint.open(bytes.slice(0, Math.floor(cut))),
      (e: unknown) => e instanceof TorchCheckpointError && (e.kind === "truncated" || e.kind === "corrupt"),
      `cut at ${cut}`,
    );
  }
  // Flip one bit in every byte position in turn (sampled): opening and reading all tensors must either succeed
  // with identical data (a bit in padding or a name) or throw a TorchCheckpointError, never anything else.
  for (let at = 0; at < bytes.length; at += 7) {
    const flipped = bytes.slice();
    flipped[at] ^= 1 << (at % 8);
    try {
      const c = TorchCheckpoint.open(flipped);
      c.readTensors(c.tensors());
    } catch (e) {
      ok(e instanceof TorchCheckpointError, `byte ${at}: ${e}`);
    }
  }
});
