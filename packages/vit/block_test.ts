import assert from "node:assert/strict";
import { init, noGrad, tensor, tidy } from "@echojepa/tensor";
import { assertClose, randomData } from "@echojepa/tensor/testing";
import { Block } from "./block.ts";
import { vitConfig } from "./config.ts";

await init();

Deno.test("Block with a key-padding mask: real tokens ignore the padding, as if it were absent", async () => {
  const config = vitConfig({ embedDim: 16, depth: 1, numHeads: 2, positionEncoding: "sincos" });
  const block = new Block(config);
  const x = randomData([1, 5, 16], 1);
  await tidy(async () => {
    const mask = tensor(Int32Array.from([1, 1, 1, 0, 0]), [1, 5]);
    const padded = await noGrad(() => block.forward(tensor(x, [1, 5, 16]), null, { keyPaddingMask: mask }))
      .toArray();
    const alone = await noGrad(() => block.forward(tensor(x.slice(0, 48), [1, 3, 16]), null)).toArray();
    assertClose(padded.subarray(0, 48), alone, { atol: 1e-5, label: "real tokens" });
  });
  block.dispose();
});

Deno.test("a RoPE block asks for token positions", () => {
  const block = new Block(vitConfig({ embedDim: 16, depth: 1, numHeads: 2 }));
  assert.throws(
    () => tidy(() => block.forward(tensor(new Float32Array(32), [1, 2, 16]), null)),
    /needs token positions/,
  );
  block.dispose();
});
