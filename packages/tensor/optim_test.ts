import assert from "node:assert/strict";
import { backward } from "./autograd.ts";
import { backend, init } from "./backends/registry.ts";
import { tensor } from "./creation.ts";
import { mul, square, sub } from "./ops/elementwise.ts";
import { mean } from "./ops/reduce.ts";
import { reshape } from "./ops/shape.ts";
import { AdamW, SGD, weightDecayGroups } from "./optim.ts";
import { clipGradNorm } from "./clip.ts";
import { loadSafetensors, parseSafetensorsHeader, saveSafetensors } from "./safetensors.ts";
import { type Tensor, tidy } from "./tensor.ts";
import { assertClose, backendTest, pipelineCount, randomData } from "./testing.ts";

await init();

/** A leaf parameter from host data. */
function param(data: Float32Array, shape: number[]): Tensor {
  const t = tensor(data, shape);
  t.requiresGrad = true;
  return t;
}

/** PyTorch AdamW, one step, in f64 on the host. */
function adamwReference(
  p: Float64Array,
  g: Float32Array,
  m: Float64Array,
  v: Float64Array,
  o: { lr: number; b1: number; b2: number; eps: number; wd: number; t: number },
): void {
  const bc1 = 1 - o.b1 ** o.t;
  const bc2 = 1 - o.b2 ** o.t;
  for (let i = 0; i < p.length; i++) {
    p[i] *= 1 - o.lr * o.wd;
    m[i] = o.b1 * m[i] + (1 - o.b1) * g[i];
    v[i] = o.b2 * v[i] + (1 - o.b2) * g[i] * g[i];
    p[i] -= (o.lr / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps);
  }
}

backendTest("AdamW: five steps with two weight-decay groups match the PyTorch formula", async () => {
  const wShape = [3, 4];
  const bShape = [4];
  const w0 = randomData(wShape, 1);
  const b0 = randomData(bShape, 2);
  const w = param(w0, wShape);
  const b = param(b0, bShape);
  const groups = weightDecayGroups([["fc.weight", w], ["fc.bias", b]], 0.1);
  const opt = new AdamW(groups, { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6 });
  assert.equal(opt.groups[0].params[0], w);
  assert.equal(opt.groups[1].params[0], b);
  const ref = [
    { p: Float64Array.from(w0), m: new Float64Array(12), v: new Float64Array(12), group: 0 },
    { p: Float64Array.from(b0), m: new Float64Array(4), v: new Float64Array(4), group: 1 },
  ];
  let pipelines = 0;
  for (let t = 1; t <= 5; t++) {
    // Schedules change lr and weight decay every step; the fixed (bias) group must stay at 0.
    opt.lr = 0.05 / t;
    opt.weightDecay = 0.1 * t;
    const grads = [randomData(wShape, 10 + t, 3), randomData(bShape, 20 + t, 3)];
    w.grad = tensor(grads[0], wShape);
    b.grad = tensor(grads[1], bShape);
    opt.step();
    opt.zeroGrad();
    assert.equal(w.grad, null);
    ref.forEach((r, k) => {
      const wd = r.group === 0 ? 0.1 * t : 0;
      adamwReference(r.p, grads[k], r.m, r.v, { lr: 0.05 / t, b1: 0.8, b2: 0.95, eps: 1e-6, wd, t });
    });
    if (t === 1) pipelines = pipelineCount();
  }
  assert.equal(pipelineCount(), pipelines, "changing hyper-parameters must not compile new kernels");
  assert.equal(opt.stepCount, 5);
  assertClose(await w.toArray(), ref[0].p, { atol: 1e-6, rtol: 1e-5, label: "weight" });
  assertClose(await b.toArray(), ref[1].p, { atol: 1e-6, rtol: 1e-5, label: "bias" });
  opt.dispose();
  w.dispose();
  b.dispose();
});

backendTest("AdamW skips parameters without a gradient and accepts a plain tensor list", async () => {
  const a = param(new Float32Array([1, 2]), [2]);
  const c = param(new Float32Array([3, 4]), [2]);
  const opt = new AdamW([a, c], { lr: 0.1, weightDecay: 0 });
  a.grad = tensor([1, -1]);
  opt.step();
  // First Adam step moves each element by lr·sign(g) (up to eps).
  assertClose(await a.toArray(), [0.9, 2.1], { atol: 1e-6 });
  assertClose(await c.toArray(), [3, 4]);
  opt.zeroGrad();
  opt.dispose();
  a.dispose();
  c.dispose();
});

function sgdReference(
  p: Float64Array,
  g: Float32Array,
  buf: Float64Array,
  o: { lr: number; mu: number; damp: number; wd: number; nesterov: boolean; first: boolean },
): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i] + o.wd * p[i];
    buf[i] = o.first ? d : o.mu * buf[i] + (1 - o.damp) * d;
    d = o.nesterov ? d + o.mu * buf[i] : buf[i];
    p[i] -= o.lr * d;
  }
}

for (const variant of [{ nesterov: false, damp: 0.1 }, { nesterov: true, damp: 0 }]) {
  backendTest(
    `SGD with momentum (nesterov ${variant.nesterov}) matches the PyTorch formula over four steps`,
    async () => {
      const shape = [5];
      const p0 = randomData(shape, 3);
      const p = param(p0, shape);
      const opt = new SGD([p], {
        lr: 0.1,
        momentum: 0.9,
        weightDecay: 0.01,
        dampening: variant.damp,
        nesterov: variant.nesterov,
      });
      const ref = Float64Array.from(p0);
      const buf = new Float64Array(5);
      for (let t = 1; t <= 4; t++) {
        const g = randomData(shape, 30 + t);
        p.grad = tensor(g, shape);
        opt.step();
        opt.zeroGrad();
        sgdReference(ref, g, buf, { lr: 0.1, mu: 0.9, wd: 0.01, first: t === 1, ...variant });
      }
      assertClose(await p.toArray(), ref, { atol: 1e-6, rtol: 1e-5, label: "sgd" });
      opt.dispose();
      p.dispose();
    },
  );
}

backendTest("plain SGD without momentum is p − lr·g", async () => {
  const p = param(new Float32Array([1, 2, 3]), [3]);
  const opt = new SGD([p], { lr: 0.5 });
  p.grad = tensor([2, 2, -2]);
  opt.step();
  assertClose(await p.toArray(), [0, 1, 4]);
  opt.zeroGrad();
  p.dispose();
});

backendTest("optimizer constructors reject bad input with clear errors", () => {
  const p = param(new Float32Array([1]), [1]);
  assert.throws(() => new AdamW([p, p], { lr: 0.1 }), /AdamW: a parameter .* appears twice/);
  assert.throws(() => new SGD([p], { lr: -1 }), /SGD: learning rate must be ≥ 0/);
  assert.throws(() => new SGD([p], { lr: 1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  p.dispose();
});

backendTest("weightDecayGroups splits as V-JEPA: biases and 1-D params undecayed, the rest decayed", () => {
  const shapes: [string, number[]][] = [
    ["blocks.0.attn.qkv.weight", [6, 2]],
    ["blocks.0.attn.qkv.bias", [6]],
    ["blocks.0.norm1.weight", [2]],
    ["mask_tokens.0", [1, 1, 2]],
    ["pos.bias_table", [3, 3]],
  ];
  const named: [string, Tensor][] = shapes.map((
    [n, s],
  ) => [n, tensor(new Float32Array(s.reduce((a, b) => a * b)), s)]);
  const [decay, plain] = weightDecayGroups(named, 0.04);
  assert.deepEqual(decay.params, [named[0][1], named[3][1]]);
  assert.deepEqual(plain.params, [named[1][1], named[2][1], named[4][1]]);
  assert.equal(decay.weightDecay, 0.04);
  assert.equal(plain.weightDecay, 0);
  assert.equal(plain.fixedWeightDecay, true);
  for (const [, t] of named) t.dispose();
});

backendTest(
  "20 steps of forward, backward, clipping and AdamW inside tidy keep live memory flat",
  async () => {
    const x = tensor(randomData([8, 4], 5), [8, 4]);
    const y = tensor(randomData([8, 4], 6), [8, 4]);
    const w = param(randomData([4], 7), [4]);
    const opt = new AdamW([w], { lr: 0.05 });
    const live: number[] = [];
    let lastLoss = 0;
    for (let step = 0; step < 20; step++) {
      const loss = tidy(() => {
        const l = mean(reshape(square(sub(mul(x, w), y)), [32]));
        backward(l);
        clipGradNorm([w], 1.0);
        opt.step();
        opt.zeroGrad();
        return l;
      });
      if (step === 19) lastLoss = await loss.item();
      loss.dispose();
      live.push(backend().memoryStats().liveBytes);
    }
    // Step 1 creates the moment buffers; after that nothing may accumulate.
    assert.deepEqual(live.slice(1), new Array(19).fill(live[1]), `live bytes per step: ${live}`);
    assert.ok(Number.isFinite(lastLoss));
    opt.dispose();
    for (const t of [x, y, w]) t.dispose();
  },
);

backendTest(
  "AdamW state survives a safetensors round trip: a resumed run matches an uninterrupted one",
  async () => {
    const shape = [2, 3];
    const start = randomData(shape, 40);
    const grads = Array.from({ length: 5 }, (_, t) => randomData(shape, 50 + t));
    const a = param(start, shape);
    const optA = new AdamW([a], { lr: 0.1 });
    const run = (p: Tensor, opt: AdamW, from: number, to: number): void => {
      for (let t = from; t < to; t++) {
        p.grad = tensor(grads[t], shape);
        opt.step();
        opt.zeroGrad();
      }
    };
    run(a, optA, 0, 3);
    const state = optA.stateDict();
    assert.deepEqual([...state.tensors.keys()], ["0.exp_avg", "0.exp_avg_sq"]);
    const file = await saveSafetensors(state.tensors, state.metadata);
    const b = param(await a.toArray() as Float32Array, shape);
    const optB = new AdamW([b], { lr: 0.1 });
    const loaded = loadSafetensors(file);
    optB.loadStateDict({ tensors: loaded, metadata: parseSafetensorsHeader(file).metadata });
    for (const t of loaded.values()) t.dispose();
    assert.equal(optB.stepCount, 3);
    run(a, optA, 3, 5);
    run(b, optB, 3, 5);
    assertClose(await b.toArray(), await a.toArray(), { atol: 0, rtol: 0, label: "resumed" });
    assert.throws(
      () => new SGD([b], { lr: 1 }).loadStateDict(state),
      /SGD.loadStateDict: state was saved by AdamW/,
    );
    for (const x of [optA, optB, a, b]) x.dispose();
  },
);
