/** The matmul and attention workloads with this project's tensor package. */
import { attention, backward, matmul, noGrad, type Tensor, tensor } from "@echojepa/tensor";

/** A `[n, n] · [n, n]` product; resolves with the result once the GPU has finished. */
export function setupMatmulOurs(a: Float32Array, b: Float32Array, n: number): () => Promise<Float32Array> {
  const ta = tensor(a, [n, n]);
  const tb = tensor(b, [n, n]);
  return async () => {
    const c = noGrad(() => matmul(ta, tb));
    const data = await c.toArray() as Float32Array;
    c.dispose();
    return data;
  };
}

/** Attention forward and backward on q, k, v [B, H, N, Dh]; resolves once the gradients are read. */
export function setupAttentionOurs(
  shape: [number, number, number, number],
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dy: Float32Array,
): () => Promise<void> {
  const [tq, tk, tv] = [q, k, v].map((x) => {
    const t = tensor(x, shape);
    t.requiresGrad = true;
    return t;
  });
  const tdy = tensor(dy, shape);
  return async () => {
    const out = attention(tq, tk, tv);
    backward(out, tdy);
    out.dispose();
    const grads = [tq, tk, tv].map((t) => t.grad as Tensor);
    await Promise.all(grads.map((g) => g.toArray()));
    for (const t of [tq, tk, tv]) {
      t.grad?.dispose();
      t.grad = null;
    }
  };
}

/** A linear layer `x [rows, inF] · Wᵀ + b` forward and backward (gradients of x, W and b read back). */
export function setupLinearOurs(rows: number, inF: number, outF: number): () => Promise<void> {
  const x = tensor(seeded(rows * inF, 31), [rows, inF]);
  const w = tensor(seeded(outF * inF, 32), [inF, outF]);
  const dy = tensor(seeded(rows * outF, 33), [rows, outF]);
  for (const t of [x, w]) t.requiresGrad = true;
  return async () => {
    const y = matmul(x, w);
    backward(y, dy);
    y.dispose();
    await Promise.all([x, w].map((t) => (t.grad as Tensor).toArray()));
    for (const t of [x, w]) {
      t.grad?.dispose();
      t.grad = null;
    }
  };
}

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}
