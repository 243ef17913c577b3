/**
 * The peer: TensorFlow.js 4.22 with its WebGPU backend, on the same adapter in the same process. Each function
 * mirrors one of ours in workloads_ours.ts / vit_ours.ts op for op.
 */
// The union package is tfjs-core plus the gradient registrations (tfjs-core's bundle alone has none; its ESM
// module that registers them cannot be loaded by Deno) and the CPU/WebGL backends, which stay unused here.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import "npm:@tensorflow/tfjs-backend-webgpu@4.22.0";
import { type ClipBatchShape, patchGrid, sincosPositions, W2 } from "./w2_config.ts";

/** Selects TF.js's WebGPU backend (throws if it cannot start). */
export async function initTfjs(): Promise<void> {
  if (!(await tf.setBackend("webgpu"))) throw new Error("TF.js: the webgpu backend failed to initialise");
  await tf.ready();
}

/** A `[m, k] · [k, n]` product; resolves with the result once the GPU has finished. */
export function setupMatmulTfjs(a: Float32Array, b: Float32Array, n: number): () => Promise<Float32Array> {
  const ta = tf.tensor2d(a, [n, n]);
  const tb = tf.tensor2d(b, [n, n]);
  return async () => {
    const c = tf.matMul(ta, tb);
    const data = await c.data() as Float32Array;
    c.dispose();
    return data;
  };
}

function naiveAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const scale = 1 / Math.sqrt(q.shape[2]);
  const p = tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale));
  return tf.matMul(p, v);
}

/** Attention forward and backward on q, k, v [B, H, N, Dh] (as [B·H, N, Dh]); resolves once gradients are read. */
export function setupAttentionTfjs(
  shape: [number, number, number, number],
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dy: Float32Array,
): () => Promise<void> {
  const [b, h, n, d] = shape;
  const s3: [number, number, number] = [b * h, n, d];
  const [tq, tk, tv, tdy] = [q, k, v, dy].map((x) => tf.tensor3d(x, s3));
  const grad = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
    naiveAttention(x as tf.Tensor3D, y as tf.Tensor3D, z as tf.Tensor3D)
  );
  return async () => {
    const gs = grad([tq, tk, tv], tdy);
    await Promise.all(gs.map((g) => g.data()));
    for (const g of gs) g.dispose();
  };
}

/** The W2 model with TF.js ops; Adam (TF.js has no AdamW) stands in for the optimizer. */
export function setupVitTfjs(
  clip: ClipBatchShape,
  data: { clips: Float32Array; target: Float32Array },
): { step: () => Promise<number> } {
  const { dim, depth, heads, mlpRatio, tubelet, patch, channels } = W2;
  const { t, h, w, tokens, patchValues } = patchGrid(clip);
  const b = clip.batch;
  const dh = dim / heads;
  const weight = (out: number, inp: number) =>
    tf.variable(tf.truncatedNormal([out, inp], 0, 0.02, "float32", 7));
  const zeros = (n: number) => tf.variable(tf.zeros([n]));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const linear = (x: tf.Tensor2D, wt: tf.Variable, bias: tf.Variable) =>
    tf.add(tf.matMul(x, wt as tf.Tensor2D, false, true), bias) as tf.Tensor2D;
  const layerNorm = (x: tf.Tensor2D, g: tf.Variable, bb: tf.Variable) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-6))), g), bb) as tf.Tensor2D;
  };
  const gelu = (x: tf.Tensor2D) =>
    tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as tf.Tensor2D;

  const pe = { w: weight(dim, patchValues), b: zeros(dim) };
  const blocks = Array.from({ length: depth }, () => ({
    n1: { g: ones(dim), b: zeros(dim) },
    qkv: { w: weight(3 * dim, dim), b: zeros(3 * dim) },
    proj: { w: weight(dim, dim), b: zeros(dim) },
    n2: { g: ones(dim), b: zeros(dim) },
    fc1: { w: weight(dim * mlpRatio, dim), b: zeros(dim * mlpRatio) },
    fc2: { w: weight(dim, dim * mlpRatio), b: zeros(dim) },
  }));
  const norm = { g: ones(dim), b: zeros(dim) };
  const pos = tf.tile(tf.tensor2d(sincosPositions(tokens, dim), [tokens, dim]), [b, 1]);
  const clips = tf.tensor(data.clips, [b, clip.frames, clip.height, clip.width, channels]);
  const target = tf.tensor2d(data.target, [b * tokens, dim]);
  const opt = tf.train.adam(1e-4);

  const forward = (): tf.Scalar => {
    const grouped = tf.reshape(clips, [b * t, tubelet, h, patch, w, patch * channels]);
    const patches = tf.reshape(tf.transpose(grouped, [0, 2, 4, 1, 3, 5]), [
      b * tokens,
      patchValues,
    ]) as tf.Tensor2D;
    let x = tf.add(linear(patches, pe.w, pe.b), pos) as tf.Tensor2D;
    for (const blk of blocks) {
      const qkv = linear(layerNorm(x, blk.n1.g, blk.n1.b), blk.qkv.w, blk.qkv.b);
      const split = tf.transpose(tf.reshape(qkv, [b, tokens, 3, heads, dh]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(split).map((y) => tf.reshape(y, [b * heads, tokens, dh]) as tf.Tensor3D);
      const o = tf.reshape(
        tf.transpose(tf.reshape(naiveAttention(q, k, v), [b, heads, tokens, dh]), [0, 2, 1, 3]),
        [
          b * tokens,
          dim,
        ],
      ) as tf.Tensor2D;
      x = tf.add(x, linear(o, blk.proj.w, blk.proj.b));
      const m = linear(
        gelu(linear(layerNorm(x, blk.n2.g, blk.n2.b), blk.fc1.w, blk.fc1.b)),
        blk.fc2.w,
        blk.fc2.b,
      );
      x = tf.add(x, m);
    }
    return tf.mean(tf.abs(tf.sub(layerNorm(x, norm.g, norm.b), target)));
  };

  const step = async (): Promise<number> => {
    const loss = opt.minimize(forward, true)!;
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  };
  return { step };
}
