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
