import assert from "node:assert/strict";
import { backward } from "../autograd.ts";
import { backend, init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { shapeSize, type Tensor } from "../tensor.ts";
import { backendTest, type BackendTestContext, gradCheck, randomData } from "../testing.ts";
import { attention } from "./attention.ts";

await init();

interface Case {
  B: number;
  H: number;
  Nq: number;
  Nk: number;
  Dh: number;
  /** Per batch element, which keys are attended (omit for no mask). */
  mask?: number[][];
  scale?: number;
}

/** Attention forward and backward (with output gradient `dout`): the output and the three input gradients. */
function forwardBackward(
  c: Case,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dout: Float32Array,
): Tensor[] {
  const { B, H, Nq, Nk, Dh } = c;
  const tq = tensor(q, [B, H, Nq, Dh]);
  const tk = tensor(k, [B, H, Nk, Dh]);
  const tv = tensor(v, [B, H, Nk, Dh]);
  for (const t of [tq, tk, tv]) t.requiresGrad = true;
  const keyPaddingMask = c.mask ? tensor(c.mask.flat(), [B, Nk]) : undefined;
  const out = attention(tq, tk, tv, { keyPaddingMask, scale: c.scale });
  backward(out, tensor(dout, out.shape));
  return [out, tq.grad!, tk.grad!, tv.grad!];
}

/** Runs attention forward and backward and reads everything back. */
async function ours(c: Case, q: Float32Array, k: Float32Array, v: Float32Array, dout: Float32Array) {
  const [o, dq, dk, dv] = await Promise.all(forwardBackward(c, q, k, v, dout).map((t) => t.toArray()));
  return { out: o, dq, dk, dv };
}

/** Forward and all three gradients agree with the reference backend (the naive, f64 implementation). */
async function checkAgainstReference(ctx: BackendTestContext, c: Case, seed: number): Promise<void> {
  const { B, H, Nq, Nk, Dh } = c;
  const q = randomData([B, H, Nq, Dh], seed, 1.5);
  const k = randomData([B, H, Nk, Dh], seed + 1, 1.5);
  const v = randomData([B, H, Nk, Dh], seed + 2);
  const dout = randomData([B, H, Nq, Dh], seed + 3);
  const label = `[${B},${H},${Nq}|${Nk},${Dh}]${c.mask ? " masked" : ""} out, dq, dk, dv`;
  await ctx.matchesReference(() => forwardBackward(c, q, k, v, dout), { atol: 1e-5, rtol: 1e-3, label });
}

backendTest("attention matches the reference, forward and all three gradients", async (ctx) => {
  await checkAgainstReference(ctx, { B: 1, H: 1, Nq: 4, Nk: 4, Dh: 8 }, 1);
  await checkAgainstReference(ctx, { B: 2, H: 3, Nq: 5, Nk: 7, Dh: 8 }, 2);
  await checkAgainstReference(ctx, { B: 1, H: 2, Nq: 70, Nk: 19, Dh: 32 }, 3); // rows span workgroups, tail key block
  await checkAgainstReference(ctx, { B: 1, H: 1, Nq: 9, Nk: 13, Dh: 4, scale: 0.9 }, 4);
});

backendTest("attention with a key-padding mask matches the reference", async (ctx) => {
  const mask = [[1, 0, 1, 1, 0, 1, 1], [0, 0, 1, 0, 0, 0, 0]];
  await checkAgainstReference(ctx, { B: 2, H: 2, Nq: 5, Nk: 7, Dh: 8, mask }, 5);
});

backendTest(
  "attention: a batch element whose keys are all masked outputs zeros and gets zero gradients",
  async (ctx) => {
    const c: Case = { B: 2, H: 1, Nq: 3, Nk: 4, Dh: 8, mask: [[1, 1, 0, 1], [0, 0, 0, 0]] };
    await checkAgainstReference(ctx, c, 6);
    const q = randomData([2, 1, 3, 8], 7);
    const kv = randomData([2, 1, 4, 8], 8);
    const got = await ours(c, q, kv, kv, q);
    const half = (a: ArrayLike<number>) => Array.from(a).slice(a.length / 2);
    for (const key of ["out", "dq", "dk", "dv"] as const) {
      assert.ok(half(got[key]).every((x) => x === 0), `${key} of the fully masked batch element is not zero`);
    }
  },
);

backendTest("attention accepts integer masks", async () => {
  const mask = [[1, 0, 1, 1]];
  const q = randomData([1, 1, 2, 8], 8);
  const k = randomData([1, 1, 4, 8], 9);
  const f = (m: Tensor) =>
    attention(tensor(q, [1, 1, 2, 8]), tensor(k, [1, 1, 4, 8]), tensor(k, [1, 1, 4, 8]), {
      keyPaddingMask: m,
    })
      .toArray();
  const [a, b, c, negativeZero] = await Promise.all([
    f(tensor(mask.flat(), [1, 4])),
    f(tensor(mask.flat(), [1, 4], "i32")),
    f(tensor(mask.flat(), [1, 4], "u32")),
    f(tensor([2.5, -0, -1, 1e-30], [1, 4])), // any non-zero f32 attends; −0 is zero
  ]);
  assert.deepEqual(Array.from(b), Array.from(a));
  assert.deepEqual(Array.from(c), Array.from(a));
  assert.deepEqual(Array.from(negativeZero), Array.from(a));
});

backendTest(
  "attention supports the model head sizes 32, 64, 80 and 88, and head sizes not divisible by 4",
  async (ctx) => {
    for (const Dh of [32, 64, 80, 88]) await checkAgainstReference(ctx, { B: 1, H: 1, Nq: 3, Nk: 5, Dh }, Dh);
    await checkAgainstReference(ctx, { B: 1, H: 2, Nq: 3, Nk: 5, Dh: 6 }, 10);
  },
);

backendTest("attention gradients match finite differences on a tiny case", async () => {
  const shapeQ = [1, 2, 3, 4];
  const shapeK = [1, 2, 5, 4];
  const mask = tensor([1, 1, 0, 1, 1], [1, 5]);
  await gradCheck((q, k, v) => attention(q, k, v, { keyPaddingMask: mask }), [
    { data: randomData(shapeQ, 11), shape: shapeQ },
    { data: randomData(shapeK, 12), shape: shapeK },
    { data: randomData(shapeK, 13), shape: shapeK },
  ]);
  assert.equal(shapeSize(shapeQ), 24);
});

backendTest("attention keeps no state beyond its output: disposing the output frees everything", () => {
  const be = backend();
  const x = tensor(randomData([1, 2, 5, 8], 20), [1, 2, 5, 8]);
  const g = tensor(randomData([1, 2, 5, 8], 21), [1, 2, 5, 8]);
  x.requiresGrad = true;
  const before = be.memoryStats().liveBytes;
  const out = attention(x, x, x);
  backward(out, g);
  out.dispose();
  x.grad!.dispose();
  x.grad = null;
  assert.equal(be.memoryStats().liveBytes, before);
});

backendTest("attention rejects bad shapes with the op's name and the shapes", () => {
  const q = tensor(new Float32Array(16), [1, 1, 2, 8]);
  const k = tensor(new Float32Array(24), [1, 1, 3, 8]);
  assert.throws(
    () => attention(q, k, tensor(new Float32Array(16), [1, 1, 2, 8])),
    /attention: q \[1,1,2,8\], k/,
  );
  assert.throws(
    () => attention(tensor(new Float32Array(16), [2, 8]), k, k),
    /attention: q must be \[B, H, N, Dh\]/,
  );
  assert.throws(
    () => attention(q, k, k, { keyPaddingMask: tensor([1, 1], [1, 2]) }),
    /attention: keyPaddingMask must be \[B, Nk\] = \[1, 3\], got \[1,2\]/,
  );
  const empty = tensor(new Float32Array(0), [1, 1, 0, 8]);
  assert.throws(() => attention(q, empty, empty), /attention: needs at least one query, one key/);
});
