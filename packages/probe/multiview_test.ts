import assert from "node:assert/strict";
import { add, init, reshape, slice, tensor } from "@echojepa/tensor";
import { Random } from "@echojepa/core";
import { MultiViewProbe, viewDropout } from "./multiview.ts";

await init();

Deno.test("view dropout drops about p of present views and never all of a study's", () => {
  const rng = new Random(3);
  const present = Array.from({ length: 2000 }, (_, i) => [true, i % 4 !== 0]);
  let dropped = 0;
  let total = 0;
  for (const [before, after] of present.map((p) => [p, viewDropout([p], 0.5, rng)[0]] as const)) {
    assert.ok(after.some(Boolean), "at least one view kept");
    assert.ok(after.every((v, i) => !v || before[i]), "a missing view never reappears");
    total += before.filter(Boolean).length;
    dropped += before.filter(Boolean).length - after.filter(Boolean).length;
  }
  assert.ok(dropped / total > 0.3 && dropped / total < 0.5, `dropped ${dropped / total}`);
  assert.deepEqual(viewDropout([[false, false]], 0.1, rng), [[false, false]]);
});

Deno.test("factorised stream embeddings: names, count (V + C)·D, and masking a view equals leaving it out", async () => {
  const D = 8;
  const V = 2;
  const C = 2;
  const N = 3;
  const probe = new MultiViewProbe({
    dim: D,
    outputs: 1,
    kind: "regressor",
    depth: 2,
    numHeads: 2,
    views: V,
    clips: C,
  });
  const names = new Map(probe.namedParameters());
  assert.deepEqual(names.get("view_embed.weight")!.shape, [V, D]);
  assert.deepEqual(names.get("clip_embed.weight")!.shape, [C, D]);
  const x = Array.from({ length: V * C * N * D }, (_, i) => Math.sin(i * 0.37));
  const xt = tensor(x, [1, V * C, N, D]);
  const withMissing = await probe.forwardStudy(xt, [[true, false]]).toArray();
  // By hand: only view 0's slots, with their embeddings, through the plain attentive probe.
  const v0 = reshape(slice(names.get("view_embed.weight")!, 0, 0, 1), [1, 1, 1, D]);
  const cEmb = reshape(names.get("clip_embed.weight")!, [1, C, 1, D]);
  const slots = add(add(slice(xt, 1, 0, C), v0), cEmb);
  const manual = await probe.forward(reshape(slots, [1, C * N, D])).toArray();
  assert.ok(Math.abs(withMissing[0] - manual[0]) < 1e-5, `${withMissing[0]} vs ${manual[0]}`);
  const both = await probe.forwardStudy(xt, [[true, true]]).toArray();
  assert.ok(Math.abs(both[0] - withMissing[0]) > 1e-6, "the second view changes the prediction");
});

Deno.test("late fusion averages per-slot predictions of present views only", async () => {
  const D = 8;
  const probe = new MultiViewProbe({
    dim: D,
    outputs: 1,
    kind: "regressor",
    depth: 1,
    numHeads: 2,
    views: 2,
    clips: 1,
    lateFusion: true,
    streamEmbedding: "none",
  });
  const x = Array.from({ length: 2 * 2 * D }, (_, i) => Math.cos(i));
  const out = await probe.forwardStudy(tensor(x, [1, 2, 2, D]), [[true, false]]).toArray();
  const single = await probe.forward(tensor(x.slice(0, 2 * D), [1, 2, D])).toArray();
  assert.ok(Math.abs(out[0] - single[0]) < 1e-5);
  assert.throws(() => probe.forwardStudy(tensor(x, [1, 2, 2, D]), [[true]]), /presence must be \[1\]\[2\]/);
});
