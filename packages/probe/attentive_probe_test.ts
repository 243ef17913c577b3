import assert from "node:assert/strict";
import { init, type Tensor, tensor } from "@echojepa/tensor";
import { AttentiveProbe } from "./attentive_probe.ts";

await init();

const erf = (x: number): number => {
  // Series for |x| < 3, asymptotic tail beyond (float64, independent of the GPU's approximation).
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    let term = ax;
    let s = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      s += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * s;
  } else r = 1;
  return x < 0 ? -r : r;
};
const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const ln = (v: number[], w: ArrayLike<number>, b: ArrayLike<number>) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const va = v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
  return v.map((x, i) => ((x - m) / Math.sqrt(va + 1e-5)) * w[i] + b[i]);
};
const lin = (v: number[], w: ArrayLike<number>, b: ArrayLike<number>, out: number) =>
  Array.from({ length: out }, (_, o) => v.reduce((s, x, i) => s + x * w[o * v.length + i], b[o]));

async function hostParams(probe: AttentiveProbe): Promise<Map<string, Float32Array>> {
  const entries = [...probe.stateDict()];
  const values = await Promise.all(entries.map(([, t]) => t.toArray()));
  return new Map(entries.map(([n], i) => [n, values[i] as Float32Array]));
}

/** The cross-attention of a depth-1 probe in float64: per-head weights over the tokens, and the projected kv rows. */
function referenceCrossAttention(
  p: Map<string, Float32Array>,
  x: number[][],
  heads: number,
): { weights: number[][]; kv: number[][] } {
  const D = x[0].length;
  const hd = D / heads;
  const g = (n: string) => p.get(`pooler.cross_attention_block.${n}`)!;
  const xn = x.map((t) => ln(t, g("norm1.weight"), g("norm1.bias")));
  const q = lin(Array.from(p.get("pooler.query_tokens")!), g("xattn.q.weight"), g("xattn.q.bias"), D);
  const kv = xn.map((t) => lin(t, g("xattn.kv.weight"), g("xattn.kv.bias"), 2 * D));
  const weights = Array.from({ length: heads }, (_, h) => {
    const s = kv.map((r) => {
      let d = 0;
      for (let j = 0; j < hd; j++) d += q[h * hd + j] * r[h * hd + j];
      return d / Math.sqrt(hd);
    });
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });
  return { weights, kv };
}

/** Depth-1 attentive probe written from the reference's module definitions, in float64 loops. */
function referenceDepth1(
  p: Map<string, Float32Array>,
  x: number[][],
  heads: number,
  classes: number,
): number[] {
  const D = x[0].length;
  const hd = D / heads;
  const g = (n: string) => p.get(`pooler.cross_attention_block.${n}`)!;
  const q0 = Array.from(p.get("pooler.query_tokens")!);
  const { weights, kv } = referenceCrossAttention(p, x, heads);
  const o = new Array<number>(D).fill(0);
  weights.forEach((w, h) =>
    kv.forEach((r, n) => {
      for (let j = 0; j < hd; j++) o[h * hd + j] += w[n] * r[D + h * hd + j];
    })
  );
  const h1 = q0.map((v, i) => v + o[i]);
  const hidden = lin(
    ln(h1, g("norm2.weight"), g("norm2.bias")),
    g("mlp.fc1.weight"),
    g("mlp.fc1.bias"),
    4 * D,
  ).map(gelu);
  const h2 = h1.map((v, i) => v + lin(hidden, g("mlp.fc2.weight"), g("mlp.fc2.bias"), D)[i]);
  return lin(h2, p.get("linear.weight")!, p.get("linear.bias")!, classes);
}

Deno.test("attentive probe (depth 1) matches a float64 reference written from the module definitions", async () => {
  const D = 8;
  const probe = new AttentiveProbe({ dim: D, outputs: 3, kind: "classifier", depth: 1, numHeads: 2 });
  const x = Array.from(
    { length: 5 },
    (_, n) => Array.from({ length: D }, (_, d) => Math.sin(n * 3 + d * 1.7)),
  );
  const out = await probe.forward(tensor(x.flat(), [1, 5, D])).toArray();
  const expected = referenceDepth1(await hostParams(probe), x, 2, 3);
  expected.forEach((e, i) => assert.ok(Math.abs(out[i] - e) < 1e-4, `output ${i}: ${out[i]} vs ${e}`));
});

Deno.test("parameter names are the reference probe checkpoint keys", () => {
  const probe = new AttentiveProbe({ dim: 8, outputs: 1, kind: "regressor", depth: 2, numHeads: 2 });
  const names = probe.namedParameters().map(([n]) => n);
  for (
    const key of [
      "pooler.query_tokens",
      "pooler.blocks.0.norm1.weight",
      "pooler.blocks.0.attn.qkv.weight",
      "pooler.blocks.0.mlp.fc2.bias",
      "pooler.cross_attention_block.xattn.q.weight",
      "pooler.cross_attention_block.xattn.kv.bias",
      "pooler.cross_attention_block.norm2.weight",
      "regressor.weight",
    ]
  ) assert.ok(names.includes(key), `missing ${key}; have ${names.join(", ")}`);
  assert.ok(!names.some((n) => n.startsWith("linear.")));
});

Deno.test("trainable parameter count of the reference depth-1 probe at D = 1024 (≈ 11.5 M)", () => {
  const D = 1024;
  // query + cross block (2 LN, q, kv, MLP 4D) + 1-class head, from the reference definitions.
  const expected = D + 4 * D + (D * D + D) + (2 * D * D + 2 * D) + (4 * D * D + 4 * D) + (4 * D * D + D) +
    (D + 1);
  assert.ok(Math.abs(expected - 11.5e6) / 11.5e6 < 0.01);
  const small = new AttentiveProbe({ dim: 16, outputs: 1, kind: "regressor", depth: 1, numHeads: 4 });
  const d = 16;
  assert.equal(
    small.parameterCount(),
    d + 4 * d + (d * d + d) + (2 * d * d + 2 * d) + (4 * d * d + 4 * d) + (4 * d * d + d) + (d + 1),
  );
  small.dispose();
});

Deno.test("a key-padding mask gives the same output as dropping the masked tokens", async () => {
  const D = 8;
  const probe = new AttentiveProbe({ dim: D, outputs: 2, kind: "classifier", depth: 3, numHeads: 2 });
  const x = Array.from({ length: 6 }, (_, n) => Array.from({ length: D }, (_, d) => Math.cos(n * 1.1 + d)));
  const keep = [0, 2, 3, 5];
  const masked: Tensor = probe.forward(tensor(x.flat(), [1, 6, D]), tensor([1, 0, 1, 1, 0, 1], [1, 6]));
  const dropped = probe.forward(tensor(keep.flatMap((i) => x[i]), [1, 4, D]));
  const [a, b] = await Promise.all([masked.toArray(), dropped.toArray()]);
  Array.from(a).forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `${v} vs ${b[i]}`));
});

Deno.test("attentionMap gives the head-averaged cross-attention weights; masked tokens get none", async () => {
  const D = 8;
  const probe = new AttentiveProbe({ dim: D, outputs: 3, kind: "classifier", depth: 1, numHeads: 2 });
  // Large enough inputs that the weights are far from uniform.
  const x = Array.from(
    { length: 5 },
    (_, n) => Array.from({ length: D }, (_, d) => 3 * Math.sin(n * 2.3 + d)),
  );
  const map = await probe.attentionMap(tensor(x.flat(), [1, 5, D])).toArray();
  const { weights } = referenceCrossAttention(await hostParams(probe), x, 2);
  weights[0].forEach((w, n) => {
    const expected = (w + weights[1][n]) / 2;
    assert.ok(Math.abs(map[n] - expected) < 1e-5, `token ${n}: ${map[n]} vs ${expected}`);
  });
  const masked = await probe.attentionMap(tensor(x.flat(), [1, 5, D]), tensor([1, 1, 0, 1, 1], [1, 5]))
    .toArray();
  assert.equal(masked[2], 0);
  assert.ok(Math.abs(Array.from(masked).reduce((a, b) => a + b, 0) - 1) < 1e-5);
});
