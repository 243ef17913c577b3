import assert from "node:assert/strict";
import { init } from "../backends/registry.ts";
import { tensor } from "../creation.ts";
import { assertClose, backendTest, gradCheck, randomData } from "../testing.ts";
import { crossEntropy, huberLoss, l1Loss, mseLoss, smoothL1Loss } from "./loss.ts";

await init();

const a = randomData([2, 5], 1, 2);
const b = randomData([2, 5], 2, 2);
const args = [{ data: a, shape: [2, 5] }, { data: b, shape: [2, 5] }];
const diffs = Array.from(a, (v, i) => v - b[i]);
const avg = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

backendTest("l1 and mse losses match their formulas and gradients", async () => {
  assertClose([await l1Loss(tensor(a, [2, 5]), tensor(b, [2, 5])).item()], [avg(diffs.map(Math.abs))]);
  assertClose([await mseLoss(tensor(a, [2, 5]), tensor(b, [2, 5])).item()], [avg(diffs.map((d) => d * d))]);
  await gradCheck(l1Loss, args);
  await gradCheck(mseLoss, args);
});

backendTest("smooth-L1 and Huber match PyTorch's definitions", async () => {
  for (const beta of [0.5, 1.5]) {
    const sl1 = avg(diffs.map((d) => (Math.abs(d) < beta ? (0.5 * d * d) / beta : Math.abs(d) - 0.5 * beta)));
    const hub = avg(diffs.map((d) => (Math.abs(d) < beta ? 0.5 * d * d : beta * (Math.abs(d) - 0.5 * beta))));
    assertClose([await smoothL1Loss(tensor(a, [2, 5]), tensor(b, [2, 5]), beta).item()], [sl1], {
      label: "smoothL1",
    });
    assertClose([await huberLoss(tensor(a, [2, 5]), tensor(b, [2, 5]), beta).item()], [hub], {
      label: "huber",
    });
    await gradCheck((x, y) => smoothL1Loss(x, y, beta), args);
  }
});

backendTest("cross-entropy matches −mean log softmax at the label, with gradient", async () => {
  const logits = randomData([3, 4], 3, 3);
  const labels = [2, 0, 3];
  let e = 0;
  for (let r = 0; r < 3; r++) {
    const row = Array.from(logits.slice(r * 4, r * 4 + 4));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    e += lse - row[labels[r]];
  }
  const lab = tensor(new Int32Array(labels), [3]);
  assertClose([await crossEntropy(tensor(logits, [3, 4]), lab).item()], [e / 3]);
  await gradCheck((x) => crossEntropy(x, lab), [{ data: logits, shape: [3, 4] }]);
});

backendTest("losses reject mismatched shapes and float labels", () => {
  assert.throws(
    () => l1Loss(tensor(a, [2, 5]), tensor(a, [10])),
    /l1Loss: prediction \[2,5\] and target \[10\] differ/,
  );
  assert.throws(() => crossEntropy(tensor(a, [2, 5]), tensor([1, 2])), /crossEntropy: expected i32/);
});
