import assert from "node:assert/strict";
import { backward, init, mean, randn, tensor, tidy } from "@echojepa/tensor";
import { vitConfig } from "@echojepa/vit";
import type { HostParams } from "../vit/reference_vit.ts";
import { Predictor, sortPlan } from "./predictor.ts";
import { referencePredictor } from "./reference_predictor.ts";

Deno.test("sortPlan merges context and targets in position order", () => {
  const plan = sortPlan({
    context: Int32Array.from([0, 3, 5, 1, 2, 7]),
    target: Int32Array.from([1, 2, 4, 0, 3, 4]),
    contextLength: 3,
    targetLength: 3,
    batchSize: 2,
  });
  // sample 0: ids 0c 1t 2t 3c 4t 5c → slots in concat([ctx0..2, tgt0..2])
  assert.deepEqual([...plan.sortedIds], [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 7]);
  assert.deepEqual([...plan.order], [0, 3, 4, 1, 5, 2, 3, 0, 1, 4, 5, 2]);
  assert.deepEqual([...plan.targetSlots], [1, 2, 4, 0, 3, 4]);
  assert.throws(
    () =>
      sortPlan({
        context: Int32Array.from([1]),
        target: Int32Array.from([1]),
        contextLength: 1,
        targetLength: 1,
        batchSize: 1,
      }),
    /both context and target/,
  );
});

Deno.test("predictor: reference parameter names and shapes, zero mask tokens, output shape, gradients", async () => {
  await init();
  const P = 16;
  const D = 24;
  const pred = new Predictor({ inputDim: D, embedDim: P, depth: 2, numHeads: 2, numMaskTokens: 3, seed: 1 });
  const shapes = new Map(pred.namedParameters().map(([n, t]) => [n, t.shape]));
  assert.deepEqual(shapes.get("predictor_embed.weight"), [P, D]);
  assert.deepEqual(shapes.get("mask_tokens.2"), [1, 1, P]);
  assert.deepEqual(shapes.get("predictor_blocks.1.attn.qkv.weight"), [3 * P, P]);
  assert.deepEqual(shapes.get("predictor_blocks.0.mlp.fc2.weight"), [P, 4 * P]);
  assert.deepEqual(shapes.get("predictor_norm.bias"), [P]);
  assert.deepEqual(shapes.get("predictor_proj.weight"), [D, P]);
  assert.ok(!shapes.has("predictor_blocks.2.norm1.weight"));
  const token = pred.mask_tokens[0];
  assert.ok((await token.toArray()).every((v) => v === 0));
  const normW = await pred.predictor_norm.weight!.toArray();
  assert.ok(normW.every((v) => v === 1));

  const masks = {
    context: Int32Array.from([0, 2, 5, 1, 3, 6]),
    target: Int32Array.from([1, 3, 4, 7, 0, 2, 4, 5]),
    contextLength: 3,
    targetLength: 4,
    batchSize: 2,
  };
  const grid = { t: 2, h: 2, w: 2 };
  const out = tidy(() => {
    const z = randn([2, 3, D], 1, 0, { seed: 3 });
    const y = pred.forward(z, masks, grid);
    backward(mean(mean(mean(y, -1), -1), -1));
    return y;
  });
  assert.deepEqual(out.shape, [2, 4, D]);
  const g = await token.grad!.toArray();
  assert.ok(g.some((v) => v !== 0), "the used mask token receives a gradient");
  assert.equal(pred.mask_tokens[1].grad, null);
  assert.throws(() => pred.forward(randn([2, 2, D]), masks, grid), /does not match the masks/);
  pred.dispose();
});

Deno.test("predictor matches the reference forward with RoPE and, when RoPE is off, with predictor_pos_embed", async () => {
  await init();
  const D = 12, P = 12, outputDim = 10;
  const grid = { t: 2, h: 2, w: 3 };
  const contextIds = [[0, 2, 5, 7, 11], [1, 3, 4, 6, 9]];
  const targetIds = [[1, 4, 8], [0, 7, 10]];
  const masks = {
    context: Int32Array.from(contextIds.flat()),
    target: Int32Array.from(targetIds.flat()),
    contextLength: 5,
    targetLength: 3,
    batchSize: 2,
  };
  const worst: Record<string, number> = {};
  for (const positionEncoding of ["rope", "sincos"] as const) {
    const pred = new Predictor({
      inputDim: D,
      embedDim: P,
      depth: 2,
      numHeads: 2,
      outputDim,
      positionEncoding,
      seed: 4,
    });
    // Non-zero mask tokens and biases so every term of the reference is exercised.
    const params: HostParams = new Map();
    for (const [name, t] of pred.namedParameters()) {
      const values = await t.toArray();
      if (name.startsWith("mask_tokens") || name.endsWith("bias")) {
        const shifted = Float32Array.from(values, (_, i) => 0.3 * Math.sin(i + name.length));
        const fresh = tensor(shifted, t.shape);
        pred.loadStateDict(new Map([[name, fresh]]), { strict: false });
        fresh.dispose();
        params.set(name, shifted);
      } else params.set(name, values);
    }
    const context = randn([2, 5, D], 1, 0, { seed: 9 });
    const hostContext = await context.toArray();
    const out = await pred.forward(context, masks, grid).toArray();
    const blockConfig = vitConfig({ embedDim: P, depth: 2, numHeads: 2, mlpHidden: 4 * P, positionEncoding });
    const expected = referencePredictor(
      blockConfig,
      params,
      hostContext,
      contextIds,
      targetIds,
      grid,
      D,
      outputDim,
    );
    worst[positionEncoding] = Math.max(...Array.from(out, (v, i) => Math.abs(v - expected[i])));
    pred.dispose();
  }
  assert.ok(worst.rope < 1e-5 && worst.sincos < 1e-5, `max |Δ|: ${JSON.stringify(worst)}`);
});
