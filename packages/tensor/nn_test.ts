import assert from "node:assert/strict";
import { backend, init } from "./backends/registry.ts";
import { tensor, zeros } from "./creation.ts";
import { backward } from "./autograd.ts";
import {
  LayerNorm,
  Linear,
  Module,
  onesParameter,
  parameter,
  setInitSeed,
  truncNormalParameter,
  withInitSeed,
  zerosParameter,
} from "./nn.ts";
import { gelu } from "./ops/elementwise.ts";
import { mseLoss } from "./ops/loss.ts";
import { AdamW, weightDecayGroups } from "./optim.ts";
import { type Tensor, tidy } from "./tensor.ts";
import { assertClose, backendTest, randomData } from "./testing.ts";

await init();

class Mlp extends Module {
  fc2: Module;
  act = "gelu"; // neither a tensor nor a module: ignored
  constructor(readonly dim: number) {
    super();
    this.fc2 = new Affine(dim);
  }
}

class Affine extends Module {
  weight: Tensor;
  bias: Tensor;
  _cache: Tensor | null = null; // underscore: not a parameter
  constructor(dim: number) {
    super();
    this.weight = truncNormalParameter([dim, dim], 0.02, 1);
    this.bias = zerosParameter([dim]);
  }
}

class Block extends Module {
  norm1: Affine;
  mlp: Mlp;
  constructor(dim: number) {
    super();
    this.norm1 = new Affine(dim);
    this.mlp = new Mlp(dim);
  }
}

class Net extends Module {
  blocks: Block[];
  maskTokens: Tensor[];
  head: Affine;
  constructor(dim: number, depth: number) {
    super();
    this.blocks = Array.from({ length: depth }, () => new Block(dim));
    this.maskTokens = [zerosParameter([1, 1, dim]), onesParameter([1, 1, dim])];
    this.head = this.registerModule("predictor_proj", new Affine(dim));
    this.registerParameter("pos_embed", zerosParameter([1, 3, dim]));
  }
}

backendTest(
  "Module names parameters with dots: properties, arrays of modules and tensors, registrations",
  () => {
    const net = new Net(2, 2);
    const names = net.namedParameters().map(([n]) => n);
    assert.deepEqual(names, [
      "pos_embed",
      "maskTokens.0",
      "maskTokens.1",
      "predictor_proj.weight",
      "predictor_proj.bias",
      "blocks.0.norm1.weight",
      "blocks.0.norm1.bias",
      "blocks.0.mlp.fc2.weight",
      "blocks.0.mlp.fc2.bias",
      "blocks.1.norm1.weight",
      "blocks.1.norm1.bias",
      "blocks.1.mlp.fc2.weight",
      "blocks.1.mlp.fc2.bias",
    ]);
    // `head` and `predictor_proj` are the same module: listed once under each name in the state dict, once overall.
    assert.equal(net.parameters().length, 13);
    assert.ok(net.stateDict().has("head.weight"));
    assert.equal(net.stateDict().get("head.weight"), net.stateDict().get("predictor_proj.weight"));
    assert.equal(net.parameterCount(), 6 + 4 + 6 + 2 * (6 + 6));
    assert.ok(net.parameters().every((t) => t.requiresGrad));
    net.dispose();
    assert.ok(net.parameters().every((t) => t.disposed));
  },
);

backendTest("train() and eval() set the flag on every descendant", () => {
  const net = new Net(2, 2);
  net.eval();
  assert.equal(net.blocks[1].mlp.fc2.training, false);
  net.train();
  assert.equal(net.blocks[1].mlp.fc2.training, true);
  net.dispose();
});

backendTest("parameters survive the tidy scope they were created in", () => {
  const before = backend().memoryStats().liveBuffers;
  const net = tidy(() => {
    zeros([4]); // a temporary, disposed by tidy
    return new Affine(3);
  });
  assert.equal(net.weight.disposed, false);
  assert.equal(backend().memoryStats().liveBuffers, before + 2);
  net.dispose();
});

backendTest("loadStateDict copies values into the existing parameters on the GPU", async () => {
  const a = new Affine(2);
  const w = a.weight;
  a.loadStateDict({ weight: tensor([1, 2, 3, 4], [2, 2]), bias: tensor([5, 6]) });
  assert.equal(a.weight, w, "the parameter keeps its identity");
  assertClose(await a.weight.toArray(), [1, 2, 3, 4]);
  assertClose(await a.bias.toArray(), [5, 6]);
  // Round trip through another module's state dict.
  const b = new Affine(2);
  b.loadStateDict(a.stateDict());
  assertClose(await b.weight.toArray(), [1, 2, 3, 4]);
  a.dispose();
  b.dispose();
});

backendTest(
  "strict loadStateDict lists missing, unexpected and mis-shaped keys in one error, copying nothing",
  async () => {
    const a = new Affine(2);
    const before = await a.bias.toArray();
    const state = new Map([
      ["weight", tensor([1, 2, 3, 4, 5, 6], [3, 2])],
      ["extra.thing", tensor([0])],
    ]);
    assert.throws(
      () => a.loadStateDict(state),
      (e: Error) =>
        /loadStateDict \(Affine\)/.test(e.message) && /missing \(1\): bias/.test(e.message) &&
        /unexpected \(1\): extra\.thing/.test(e.message) &&
        /mis-shaped \(1\): weight: module f32 \[2,2\] vs state dict f32 \[3,2\]/.test(e.message),
    );
    assertClose(await a.bias.toArray(), before);
    const result = a.loadStateDict(new Map([["bias", tensor([7, 8])], ["extra", tensor([1])]]), {
      strict: false,
    });
    assert.deepEqual(result, { missing: ["weight"], unexpected: ["extra"], mismatched: [] });
    assertClose(await a.bias.toArray(), [7, 8]);
    a.dispose();
  },
);

backendTest("registerParameter rejects dotted names; parameter() marks and keeps", () => {
  const m = new Module();
  assert.throws(() => m.registerParameter("a.b", tensor([1])), /must be non-empty and contain no "\."/);
  const t = tidy(() => parameter(tensor([1])));
  assert.equal(t.requiresGrad, true);
  assert.equal(t.disposed, false);
  t.dispose();
});

backendTest("Linear: PyTorch layout, truncated-normal weight, zero bias, forward x·Wᵀ + b", async () => {
  const fc = new Linear(3, 2, { seed: 4 });
  assert.deepEqual(fc.namedParameters().map(([n, t]) => [n, t.shape]), [["weight", [2, 3]], ["bias", [2]]]);
  const w = await fc.weight.toArray();
  assert.ok(w.every((v) => Math.abs(v) < 0.1) && w.some((v) => v !== 0), `weights ${w}`);
  assertClose(await fc.bias!.toArray(), [0, 0]);
  fc.loadStateDict({ weight: tensor([1, 2, 3, 4, 5, 6], [2, 3]), bias: tensor([0.5, -1]) });
  const y = fc.forward(tensor([1, 0, -1, 2, 1, 0], [2, 3]));
  assert.deepEqual(y.shape, [2, 2]);
  assertClose(await y.toArray(), [1 - 3 + 0.5, 4 - 6 - 1, 2 + 2 + 0.5, 8 + 5 - 1]);
  const noBias = new Linear(3, 2, { bias: false, seed: 4 });
  assert.deepEqual(noBias.namedParameters().map(([n]) => n), ["weight"]);
  assertClose(await noBias.weight.toArray(), w, { label: "same seed, same weights" });
  for (const t of [y]) t.dispose();
  fc.dispose();
  noBias.dispose();
});

backendTest("LayerNorm normalises the last axis, with and without affine parameters", async () => {
  const x = tensor([1, 2, 3, 4, -2, 0, 2, 4], [2, 4]);
  const ln = new LayerNorm(4, { eps: 0 });
  ln.loadStateDict({ weight: tensor([1, 1, 2, 2]), bias: tensor([0, 0, 0, 1]) });
  const plain = new LayerNorm(4, { affine: false, eps: 0 });
  assert.deepEqual(plain.namedParameters(), []);
  const s = 1 / Math.sqrt(1.25); // row 1: mean 2.5, variance 1.25; row 2 is twice row 1 shifted
  const z = [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s];
  assertClose(await plain.forward(x).toArray(), [...z, ...z], { atol: 1e-5 });
  assertClose(await ln.forward(x).toArray(), [
    z[0],
    z[1],
    2 * z[2],
    2 * z[3] + 1,
    z[0],
    z[1],
    2 * z[2],
    2 * z[3] + 1,
  ], {
    atol: 1e-5,
  });
  assert.throws(
    () => plain.forward(tensor([1, 2, 3], [1, 3])),
    /LayerNorm\(4\): input \[1,3\] has the wrong last axis/,
  );
  ln.dispose();
});

class TinyMlp extends Module {
  fc1 = new Linear(2, 32, { seed: 1 });
  fc2 = new Linear(32, 1, { seed: 2 });
  forward(x: Tensor): Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x)));
  }
}

backendTest("a Linear-GELU-Linear MLP trained with AdamW fits a toy regression", async () => {
  // y = sin(2 x₀) + x₁² on 64 points in [-1, 1]².
  const n = 64;
  const xs = randomData([n, 2], 11);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) ys[i] = Math.sin(2 * xs[2 * i]) + xs[2 * i + 1] ** 2;
  const x = tensor(xs, [n, 2]);
  const y = tensor(ys, [n, 1]);
  const net = new TinyMlp();
  const opt = new AdamW(weightDecayGroups(net.namedParameters(), 1e-4), { lr: 0.1 });
  const losses: Promise<number>[] = [];
  for (let step = 0; step < 200; step++) {
    const loss = tidy(() => {
      const l = mseLoss(net.forward(x), y);
      backward(l);
      opt.step();
      opt.zeroGrad();
      return l;
    });
    if (step === 0 || step === 199) losses.push(loss.item());
    else loss.dispose();
  }
  const [first, last] = await Promise.all(losses);
  assert.ok(last < 0.005 && last < first / 100, `loss ${first} → ${last}`);
  opt.dispose();
  net.dispose();
  x.dispose();
  y.dispose();
});

backendTest(
  "withInitSeed makes what it builds a function of the seed and leaves later layers' seeds alone",
  async () => {
    const plain = [new Linear(3, 2), new Linear(3, 2)];
    setInitSeed(0);
    const first = new Linear(3, 2);
    setInitSeed(0);
    const inside = withInitSeed(99, () => new Linear(3, 2));
    const after = new Linear(3, 2); // the counter is back where it was: the same weights as `first`
    const again = withInitSeed(99, () => new Linear(3, 2));
    assert.deepEqual(await after.weight.toArray(), await first.weight.toArray());
    assert.deepEqual(await again.weight.toArray(), await inside.weight.toArray());
    assert.notDeepEqual(await inside.weight.toArray(), await first.weight.toArray());
    for (const m of [...plain, first, inside, after, again]) m.dispose();
  },
);
