import assert from "node:assert/strict";
import { init } from "./backends/registry.ts";
import { tensor } from "./creation.ts";
import { emaUpdate } from "./ema.ts";
import { assertClose, backendTest, randomData } from "./testing.ts";

await init();

backendTest("emaUpdate moves each target toward its online tensor in place", async () => {
  const t0 = randomData([3, 2], 1);
  const o0 = randomData([3, 2], 2);
  const target = tensor(t0, [3, 2]);
  const online = tensor(o0, [3, 2]);
  const bias = tensor([1, 1]);
  const onlineBias = tensor([3, 5]);
  const m = 0.75;
  emaUpdate([target, bias], [online, onlineBias], m);
  emaUpdate([target, bias], [online, onlineBias], m);
  // Two steps toward a fixed online value: t ← o + m²(t − o).
  assertClose(await target.toArray(), Array.from(t0, (v, i) => o0[i] + m * m * (v - o0[i])), {
    label: "target",
  });
  assertClose(await bias.toArray(), [3 - 2 * m * m, 5 - 4 * m * m], { label: "bias" });
  assertClose(await online.toArray(), o0, { label: "online unchanged" });
  for (const t of [target, online, bias, onlineBias]) t.dispose();
});

backendTest("emaUpdate rejects mismatched lists, shapes and momenta", () => {
  const a = tensor([1, 2]);
  const b = tensor([1, 2, 3]);
  assert.throws(() => emaUpdate([a], [a, b], 0.9), /emaUpdate: 1 target tensors but 2 online/);
  assert.throws(
    () => emaUpdate([a], [b], 0.9),
    /emaUpdate: tensor 0: target \[2\] does not match online \[3\]/,
  );
  assert.throws(() => emaUpdate([a], [b], 1.5), /momentum must be in \[0, 1\]/);
  a.dispose();
  b.dispose();
});
