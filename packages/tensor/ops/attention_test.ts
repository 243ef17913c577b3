import assert from "node:assert/strict";
import { backward } from "../autograd.ts";
import { backend, init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { shapeSize, type Tensor } from "../tensor.ts";
import { assertClose, gradCheck, randomData } from "../testing.ts";
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

interface Reference {
  out: Float64Array;
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
}

/**
 * Naive attention in f64 that materialises the full score matrix, with its backward written out by hand from
 * the matrix formulas (dV = Pᵀ dO, dP = dO Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = s·dS K, dK = s·dSᵀ Q).
 * Rows with no valid key give zero output and zero gradients.
 */
function naiveAttention(
  c: Case,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dout: Float32Array,
): Reference {
  const { B, H, Nq, Nk, Dh } = c;
  const scale = c.scale ?? 1 / Math.sqrt(Dh);
  const out = new Float64Array(B * H * Nq * Dh);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const qo = (b * H + h) * Nq * Dh;
      const ko = (b * H + h) * Nk * Dh;
      for (let i = 0; i < Nq; i++) {
        const s = new Float64Array(Nk);
        const attend = (j: number): boolean => !c.mask || c.mask[b][j] !== 0;
        let m = -Infinity;
        for (let j = 0; j < Nk; j++) {
          if (!attend(j)) continue;
          let dot = 0;
          for (let d = 0; d < Dh; d++) dot += q[qo + i * Dh + d] * k[ko + j * Dh + d];
          s[j] = dot * scale;
          m = Math.max(m, s[j]);
        }
        if (m === -Infinity) continue; // no valid key: zeros everywhere
        const pr = new Float64Array(Nk);
        let sum = 0;
        for (let j = 0; j < Nk; j++) sum += pr[j] = attend(j) ? Math.exp(s[j] - m) : 0;
        for (let j = 0; j < Nk; j++) pr[j] /= sum;
        for (let j = 0; j < Nk; j++) {
          for (let d = 0; d < Dh; d++) out[qo + i * Dh + d] += pr[j] * v[ko + j * Dh + d];
        }
        const dp = new Float64Array(Nk);
        let rowTerm = 0;
        for (let j = 0; j < Nk; j++) {
          for (let d = 0; d < Dh; d++) {
            dp[j] += dout[qo + i * Dh + d] * v[ko + j * Dh + d];
            dv[ko + j * Dh + d] += pr[j] * dout[qo + i * Dh + d];
          }
          rowTerm += dp[j] * pr[j];
        }
        for (let j = 0; j < Nk; j++) {
          const ds = pr[j] * (dp[j] - rowTerm) * scale;
          for (let d = 0; d < Dh; d++) {
            dq[qo + i * Dh + d] += ds * k[ko + j * Dh + d];
            dk[ko + j * Dh + d] += ds * q[qo + i * Dh + d];
          }
        }
      }
    }
  }
  return { out, dq, dk, dv };
}

/** Runs our attention forward and backward (with output gradient `dout`) and reads everything back. */
async function ours(c: Case, q: Float32Array, k: Float32Array, v: Float32Array, dout: Float32Array) {
  const { B, H, Nq, Nk, Dh } = c;
  const tq = tensor(q, [B, H, Nq, Dh]);
  const tk = tensor(k, [B, H, Nk, Dh]);
  const tv = tensor(v, [B, H, Nk, Dh]);
  for (const t of [tq, tk, tv]) t.requiresGrad = true;
  const keyPaddingMask = c.mask ? tensor(c.mask.flat(), [B, Nk]) : undefined;
  const out = attention(tq, tk, tv, { keyPaddingMask, scale: c.scale });
  backward(out, tensor(dout, out.shape));
  const [o, dq, dk, dv] = await Promise.all(
    [out, tq.grad!, tk.grad!, tv.grad!].map((t: Tensor) => t.toArray()),
  );
  return { out: o, dq, dk, dv };
}

async function checkAgainstNaive(c: Case, seed: number): Promise<void> {
  const { B, H, Nq, Nk, Dh } = c;
  const q = randomData([B, H, Nq, Dh], seed, 1.5);
  const k = randomData([B, H, Nk, Dh], seed + 1, 1.5);
  const v = randomData([B, H, Nk, Dh], seed + 2);
  const dout = randomData([B, H, Nq, Dh], seed + 3);
  const expected = naiveAttention(c, q, k, v, dout);
  const got = await ours(c, q, k, v, dout);
  const label = `[${B},${H},${Nq}|${Nk},${Dh}]${c.mask ? " masked" : ""}`;
  for (const key of ["out", "dq", "dk", "dv"] as const) {
    assertClose(got[key], expected[key], { atol: 1e-5, rtol: 1e-3, label: `${key} ${label}` });
  }
}

Deno.test("attention matches naive attention, forward and all three gradients", async () => {
  await checkAgainstNaive({ B: 1, H: 1, Nq: 4, Nk: 4, Dh: 8 }, 1);
  await checkAgainstNaive({ B: 2, H: 3, Nq: 5, Nk: 7, Dh: 8 }, 2);
  await checkAgainstNaive({ B: 1, H: 2, Nq: 70, Nk: 19, Dh: 32 }, 3); // rows span workgroups, tail key block
  await checkAgainstNaive({ B: 1, H: 1, Nq: 9, Nk: 13, Dh: 4, scale: 0.9 }, 4);
});

Deno.test("attention with a key-padding mask matches naive masked attention", async () => {
  const mask = [[1, 0, 1, 1, 0, 1, 1], [0, 0, 1, 0, 0, 0, 0]];
  await checkAgainstNaive({ B: 2, H: 2, Nq: 5, Nk: 7, Dh: 8, mask }, 5);
});

Deno.test("attention: a batch element whose keys are all masked outputs zeros and gets zero gradients", async () => {
  const c: Case = { B: 2, H: 1, Nq: 3, Nk: 4, Dh: 8, mask: [[1, 1, 0, 1], [0, 0, 0, 0]] };
  await checkAgainstNaive(c, 6);
  const q = randomData([2, 1, 3, 8], 7);
  const kv = randomData([2, 1, 4, 8], 8);
  const got = await ours(c, q, kv, kv, q);
  const half = (a: ArrayLike<number>) => Array.from(a).slice(a.length / 2);
  for (const key of ["out", "dq", "dk", "dv"] as const) {
    assert.ok(half(got[key]).every((x) => x === 0), `${key} of the fully masked batch element is not zero`);
  }
});

Deno.test("attention accepts integer masks", async () => {
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

Deno.test("attention supports the model head sizes 32, 64, 80 and 88, and head sizes not divisible by 4", async () => {
  for (const Dh of [32, 64, 80, 88]) await checkAgainstNaive({ B: 1, H: 1, Nq: 3, Nk: 5, Dh }, Dh);
  await checkAgainstNaive({ B: 1, H: 2, Nq: 3, Nk: 5, Dh: 6 }, 10);
});

Deno.test("attention gradients match finite differences on a tiny case", async () => {
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

Deno.test("attention keeps no state beyond its output: disposing the output frees everything", () => {
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

Deno.test("attention rejects bad shapes with the op's name and the shapes", () => {
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
