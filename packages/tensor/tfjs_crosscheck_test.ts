/**
 * Cross-checks ops and gradients against an independent implementation, TensorFlow.js on its CPU backend: the
 * same random inputs go through both, and the forward outputs and the gradients of `Σ out ⊙ r` (a fixed random
 * `r`) with respect to every input must agree.
 */

// The union package, not tfjs-core alone: only its Node.js bundle registers the gradient functions (tfjs-core
// ships them as ES modules with extensionless imports, which Deno cannot load). Its CPU backend is the reference.
import * as tf from "@tensorflow/tfjs";
import { backward } from "./autograd.ts";
import { init } from "./backends/registry.ts";
import { attention } from "./ops/attention.ts";
import { tensor } from "./creation.ts";
import { gelu, mul } from "./ops/elementwise.ts";
import { layerNorm } from "./ops/layernorm.ts";
import { crossEntropy, mseLoss } from "./ops/loss.ts";
import { linear, matmul } from "./ops/matmul.ts";
import { mean, sum, variance } from "./ops/reduce.ts";
import { reshape } from "./ops/shape.ts";
import { logSoftmax, softmax } from "./ops/softmax.ts";
import { type Tensor, tidy } from "./tensor.ts";
import { assertClose, backendTest, randomData } from "./testing.ts";

await init();
// The CPU backend greets Node.js users with a banner recommending tfjs-node; it is irrelevant here.
tf.env().set("IS_NODE", false);
await tf.setBackend("cpu");

type Ours = (...xs: Tensor[]) => Tensor;
type Theirs = (...xs: tf.Tensor[]) => tf.Tensor;

/**
 * Runs `ours` and `theirs` on the same inputs; compares outputs, then the gradients of `Σ out ⊙ r` for every input.
 */
async function crossCheck(
  label: string,
  ours: Ours,
  theirs: Theirs,
  shapes: number[][],
  { atol = 1e-5, rtol = 1e-4, scale = 1 }: { atol?: number; rtol?: number; scale?: number } = {},
): Promise<void> {
  const data = shapes.map((s, i) => randomData(s, 100 + i, scale));
  const [ourOut, ourGrads] = await tidy(async () => {
    const xs = data.map((d, i) => {
      const t = tensor(d, shapes[i]);
      t.requiresGrad = true;
      return t;
    });
    const out = ours(...xs);
    const r = tensor(randomData(out.shape, 7), out.shape);
    backward(sum(reshape(mul(out, r), [out.size]), 0));
    return await Promise.all([out.toArray(), Promise.all(xs.map((x) => x.grad!.toArray()))]);
  });
  const [theirOut, theirGrads] = tf.tidy(() => {
    const xs = data.map((d, i) => tf.tensor(d, shapes[i]));
    const out = theirs(...xs);
    const r = tf.tensor(randomData(out.shape, 7), out.shape);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(theirs(...args), r)))(xs);
    return [out.dataSync(), grads.map((g) => g.dataSync())];
  });
  assertClose(ourOut, theirOut, { atol, rtol, label: `${label} forward` });
  ourGrads.forEach((g, i) =>
    assertClose(g, theirGrads[i], { atol, rtol, label: `${label} gradient of input ${i}` })
  );
}

/** Exact GELU written with TF.js's erf: TF.js core has no GELU op of its own. */
const tfGelu = (x: tf.Tensor): tf.Tensor =>
  tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

/** LayerNorm over the last axis from TF.js moments (biased variance, as PyTorch). */
function tfLayerNorm(x: tf.Tensor, w: tf.Tensor | null, b: tf.Tensor | null, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const z = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  return w && b ? tf.add(tf.mul(z, w), b) : z;
}

backendTest("TF.js cross-check: linear (matmul with fused bias) and batched matmul", async () => {
  await crossCheck(
    "linear",
    (x, w, b) => linear(x, w, b),
    // TF.js's batched matmul gradient cannot broadcast a 2-D weight, so flatten the batch there.
    (x, w, b) => tf.reshape(tf.add(tf.matMul(tf.reshape(x, [6, 6]), w, false, true), b), [2, 3, 5]),
    [[2, 3, 6], [5, 6], [5]],
  );
  await crossCheck(
    "matmul transA",
    (a, b) => matmul(a, b, { transA: true }),
    (a, b) => tf.matMul(a, b, true, false),
    [[2, 4, 3], [2, 4, 5]],
  );
});

backendTest("TF.js cross-check: exact GELU", async () => {
  await crossCheck("gelu", gelu, tfGelu, [[3, 7]], { scale: 3 });
});

backendTest("TF.js cross-check: softmax and logSoftmax over the last axis", async () => {
  await crossCheck("softmax", (x) => softmax(x), (x) => tf.softmax(x), [[3, 9]], { scale: 4 });
  await crossCheck("logSoftmax", (x) => logSoftmax(x), (x) => tf.logSoftmax(x), [[3, 9]], { scale: 4 });
});

backendTest("TF.js cross-check: layerNorm with and without affine parameters", async () => {
  await crossCheck(
    "layerNorm affine",
    (x, w, b) => layerNorm(x, w, b, 1e-5),
    (x, w, b) => tfLayerNorm(x, w, b, 1e-5),
    [[2, 3, 8], [8], [8]],
    { atol: 1e-4, rtol: 1e-3 },
  );
  await crossCheck(
    "layerNorm plain",
    (x) => layerNorm(x, null, null, 1e-6),
    (x) => tfLayerNorm(x, null, null, 1e-6),
    [[4, 16]],
    { atol: 1e-4, rtol: 1e-3 },
  );
});

backendTest("TF.js cross-check: mean and variance over an inner axis", async () => {
  await crossCheck("mean", (x) => mean(x, 1), (x) => tf.mean(x, 1), [[3, 5, 4]]);
  await crossCheck("variance", (x) => variance(x, 1), (x) => tf.moments(x, 1).variance, [[3, 5, 4]]);
});

backendTest("TF.js cross-check: cross-entropy on integer labels", async () => {
  const labels = [2, 0, 4, 1];
  await crossCheck(
    "crossEntropy",
    (logits) => crossEntropy(logits, tensor(new Int32Array(labels))),
    (logits) => tf.mean(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, 5)), -1))),
    [[4, 5]],
    { scale: 3 },
  );
});

backendTest("TF.js cross-check: a Linear-GELU-Linear MLP's MSE loss and parameter gradients", async () => {
  const target = randomData([6, 2], 55);
  await crossCheck(
    "mlp",
    (x, w1, b1, w2, b2) => mseLoss(linear(gelu(linear(x, w1, b1)), w2, b2), tensor(target, [6, 2])),
    (x, w1, b1, w2, b2) => {
      const h = tfGelu(tf.add(tf.matMul(x, w1, false, true), b1));
      const y = tf.add(tf.matMul(h, w2, false, true), b2);
      return tf.mean(tf.square(tf.sub(y, tf.tensor(target, [6, 2]))));
    },
    [[6, 4], [8, 4], [8], [2, 8], [2]],
  );
});

backendTest(
  "TF.js cross-check: fused attention with a key-padding mask against softmax(QKᵀ·scale)V",
  async () => {
    // [B=2, Nk=5]: batch 0 ignores key 3, batch 1 ignores key 1.
    const mask = [1, 1, 1, 0, 1, 1, 0, 1, 1, 1];
    await crossCheck(
      "attention",
      (q, k, v) => attention(q, k, v, { keyPaddingMask: tensor(mask, [2, 5]) }),
      (q, k, v) => {
        const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(8));
        const bias = tf.reshape(tf.tensor(mask.map((m) => (m ? 0 : -1e9))), [2, 1, 1, 5]);
        return tf.matMul(tf.softmax(tf.add(scores, bias)), v);
      },
      [[2, 2, 3, 8], [2, 2, 5, 8], [2, 2, 5, 8]],
      { atol: 1e-4, rtol: 1e-3 },
    );
  },
);
