import assert from "node:assert/strict";
import { backend, backward, init, mul, noGrad, sum, type Tensor, tensor, tidy } from "@echojepa/tensor";
import { Random } from "@echojepa/core";
import { assertClose, randomData } from "@echojepa/tensor/testing";
import { parameterCount, parameterShapes, type VitConfig, vitConfig } from "./config.ts";
import { type HostParams, referenceForward, type ReferenceOptions } from "./reference_vit.ts";
import { VisionTransformer } from "./vision_transformer.ts";

await init();

/** dim 24, 2 heads of 12 (RoPE parts 4+4+4), 2 blocks, on 16 × 32 × 32 clips (8·2·2 = 32 tokens). */
const TINY: VitConfig = vitConfig({ embedDim: 24, depth: 2, numHeads: 2, mlpHidden: 40 });
const CLIP = [2, 3, 16, 32, 32];

async function hostParams(model: VisionTransformer): Promise<HostParams> {
  const entries = [...model.stateDict()];
  const values = await Promise.all(entries.map(([, t]) => t.toArray()));
  return new Map(entries.map(([name], i) => [name, Float64Array.from(values[i])]));
}

/** Model with non-trivial norms and biases (the reference init leaves them at 1 and 0, which hides bugs). */
function randomizedModel(config: VitConfig, seed: number): VisionTransformer {
  const model = new VisionTransformer(config, { seed });
  const r = new Random(seed + 17);
  for (const [name, t] of model.stateDict()) {
    if (!t.requiresGrad || !(name.endsWith("bias") || name.includes("norm"))) continue;
    const data = Float32Array.from(
      { length: t.size },
      () => (name.endsWith("weight") ? 1 : 0) + 0.3 * (r.next() - 0.5),
    );
    const fresh = tensor(data, t.shape);
    model.loadStateDict(new Map([[name, fresh]]), { strict: false });
    fresh.dispose();
  }
  return model;
}

function distinctIndices(n: number, k: number, seed: number): number[] {
  const r = new Random(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.below(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k);
}

async function compare(
  model: VisionTransformer,
  out: Tensor | Tensor[],
  video: Float32Array,
  shape: number[],
  opts: ReferenceOptions,
  label: string,
) {
  const params = await hostParams(model);
  const expected = referenceForward(model.config, params, video, shape, opts);
  const outs = Array.isArray(out) ? out : [out];
  assert.equal(outs.length, expected.length, label);
  for (let i = 0; i < outs.length; i++) {
    assertClose(await outs[i].toArray(), expected[i], {
      atol: 1e-4,
      rtol: 1e-3,
      label: `${label} output ${i}`,
    });
  }
}

Deno.test("tiny ViT forward equals the plain-TypeScript reference (full clip, out_layers)", async () => {
  const model = randomizedModel(TINY, 1);
  const video = randomData(CLIP, 2);
  await tidy(async () => {
    const out = noGrad(() => model.forward(tensor(video, CLIP)));
    assert.deepEqual(out.shape, [2, 32, 24]);
    await compare(model, out, video, CLIP, {}, "full");
    // Returned in the order asked for; the reference (like PyTorch's) lists them in block order.
    const layers = noGrad(() => model.forwardLayers(tensor(video, CLIP), [1, 0]));
    await compare(model, layers.reverse(), video, CLIP, { outLayers: [0, 1] }, "out_layers");
  });
  model.dispose();
});

Deno.test("tiny ViT on kept tokens equals the reference with masks (one mask, and two masks stacked)", async () => {
  const model = randomizedModel(TINY, 3);
  const video = randomData(CLIP, 4);
  const keepA = [distinctIndices(32, 11, 5), distinctIndices(32, 11, 6)];
  const keepB = [distinctIndices(32, 11, 7), distinctIndices(32, 11, 8)];
  await tidy(async () => {
    const a = tensor(Int32Array.from(keepA.flat()), [2, 11]);
    const b = tensor(Int32Array.from(keepB.flat()), [2, 11]);
    const one = noGrad(() => model.forward(tensor(video, CLIP), { keep: a }));
    assert.deepEqual(one.shape, [2, 11, 24]);
    await compare(model, one, video, CLIP, { keep: keepA }, "one mask");
    const two = noGrad(() => model.forward(tensor(video, CLIP), { keep: [a, b] }));
    assert.deepEqual(two.shape, [4, 11, 24]);
    const params = await hostParams(model);
    const expA = referenceForward(TINY, params, video, CLIP, { keep: keepA })[0];
    const expB = referenceForward(TINY, params, video, CLIP, { keep: keepB })[0];
    const got = await two.toArray();
    assertClose(got.subarray(0, expA.length), expA, { atol: 1e-4, rtol: 1e-3, label: "mask A" });
    assertClose(got.subarray(expA.length), expB, { atol: 1e-4, rtol: 1e-3, label: "mask B" });
    assert.throws(
      () => model.forward(tensor(video, CLIP), { keep: tensor(new Float32Array(22), [2, 11]) }),
      /i32/,
    );
  });
  model.dispose();
});

Deno.test("sin-cos ViT adds its position table, resized for another clip size", async () => {
  const config = vitConfig({ ...TINY, positionEncoding: "sincos", numFrames: 8, imageSize: 32 });
  const model = randomizedModel(config, 9);
  assert.deepEqual(model.pos_embed?.shape, [1, 16, 24]);
  const shape = [1, 3, 12, 32, 48];
  const video = randomData(shape, 10);
  await tidy(async () => {
    const out = noGrad(() => model.forward(tensor(video, shape)));
    await compare(model, out, video, shape, {}, "sincos resized");
  });
  model.dispose();
});

Deno.test("tiny ViT gradients equal finite differences of the float64 reference", async () => {
  const config = vitConfig({ ...TINY, depth: 2 });
  const shape = [1, 3, 4, 32, 32]; // 2·2·2 = 8 tokens
  const model = randomizedModel(config, 11);
  const video = randomData(shape, 12);
  const keepIds = [[6, 1, 3, 4, 0]];
  const params = await hostParams(model);
  const outShape = [1, 5, 24];
  const w = randomData(outShape, 13);
  const grads = await tidy(async () => {
    const out = model.forward(tensor(video, shape), {
      keep: tensor(Int32Array.from(keepIds.flat()), [1, 5]),
    });
    backward(sum(sum(mul(out, tensor(w, outShape)), -1), -1));
    const named = model.namedParameters().filter(([, t]) => t.requiresGrad);
    const arrays = await Promise.all(named.map(([, t]) => t.grad!.toArray()));
    return new Map(named.map(([n], i) => [n, arrays[i]]));
  });
  const loss = (p: HostParams) => {
    const y = referenceForward(config, p, video, shape, { keep: keepIds })[0];
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * w[i];
    return s;
  };
  const r = new Random(14);
  const eps = 1e-5;
  for (const [name, g] of grads) {
    const base = params.get(name) as Float64Array;
    for (let s = 0; s < 3; s++) {
      const j = r.below(base.length);
      const keepV = base[j];
      base[j] = keepV + eps;
      const up = loss(params);
      base[j] = keepV - eps;
      const down = loss(params);
      base[j] = keepV;
      const numeric = (up - down) / (2 * eps);
      assertClose([g[j]], [numeric], { atol: 2e-4, rtol: 2e-3, label: `d loss / d ${name}[${j}]` });
    }
  }
  model.dispose();
});

Deno.test("the model's parameter names and shapes are the configuration's (the reference's state-dict keys)", () => {
  for (
    const config of [TINY, vitConfig({ ...TINY, positionEncoding: "sincos", numFrames: 4, imageSize: 32 })]
  ) {
    const model = new VisionTransformer(config);
    const shapes = parameterShapes(config);
    assert.deepEqual([...model.stateDict()].map(([n, t]) => [n, t.shape]), [...shapes]);
    const trainable = model.parameters().filter((t) => t.requiresGrad);
    assert.equal(trainable.reduce((s, t) => s + t.size, 0), parameterCount(config));
    model.dispose();
  }
});

Deno.test("initialisation: trunc-normal 0.02 weights, zero biases, unit norms, 1/sqrt(2·layer) rescale", async () => {
  const config = vitConfig({ embedDim: 64, depth: 3, numHeads: 4 });
  const model = new VisionTransformer(config, { seed: 5 });
  const state = model.stateDict();
  const read = async (n: string) => Float64Array.from(await state.get(n)!.toArray());
  const std = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(std(await read("blocks.0.attn.qkv.weight")) - 0.02) < 0.001);
  assert.ok(Math.abs(std(await read("patch_embed.proj.weight")) - 0.02) < 0.001);
  assert.ok(Math.abs(std(await read("blocks.2.mlp.fc1.weight")) - 0.02) < 0.001);
  // Block i (1-based) divides attn.proj and mlp.fc2 by sqrt(2i).
  assert.ok(Math.abs(std(await read("blocks.2.attn.proj.weight")) - 0.02 / Math.sqrt(6)) < 0.0005);
  assert.ok(Math.abs(std(await read("blocks.1.mlp.fc2.weight")) - 0.02 / Math.sqrt(4)) < 0.0005);
  assert.ok((await read("blocks.1.attn.qkv.bias")).every((v) => v === 0));
  assert.ok((await read("norm.weight")).every((v) => v === 1));
  assert.ok((await read("blocks.0.norm2.bias")).every((v) => v === 0));
  // Same seed, same weights.
  const again = new VisionTransformer(config, { seed: 5 });
  const first = await state.get("blocks.1.mlp.fc1.weight")!.toArray();
  assert.deepEqual(await again.stateDict().get("blocks.1.mlp.fc1.weight")!.toArray(), first);
  model.dispose();
  again.dispose();
});

Deno.test("inference forward frees every intermediate: only the output stays alive", () => {
  const model = new VisionTransformer(TINY, { seed: 21 });
  const clip = tensor(randomData(CLIP, 22), CLIP);
  const a = tensor(Int32Array.from(distinctIndices(32, 6, 23).concat(distinctIndices(32, 6, 24))), [2, 6]);
  const b = tensor(Int32Array.from(distinctIndices(32, 6, 25).concat(distinctIndices(32, 6, 26))), [2, 6]);
  const before = backend().memoryStats().liveBuffers;
  for (const keep of [undefined, a, [a, b]]) {
    const out = noGrad(() => model.forward(clip, { keep }));
    out.dispose();
    const layers = noGrad(() => model.forwardLayers(clip, [0, 1], { keep }));
    for (const l of layers) l.dispose();
    assert.equal(backend().memoryStats().liveBuffers, before, `keep ${keep ? "given" : "absent"}`);
  }
  for (const t of [clip, a, b]) t.dispose();
  model.dispose();
});
