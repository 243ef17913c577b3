import assert from "node:assert/strict";
import { randomErasing } from "./random_erasing.ts";
import { makeClip, Random } from "@echojepa/core";
import { probeTrainTransform } from "./probe_transform.ts";

Deno.test("randomErasing: one box, same place on every frame and channel, within area/aspect bounds", () => {
  const [C, T, H, W] = [3, 4, 40, 50];
  let erasedClips = 0;
  for (let s = 0; s < 200; s++) {
    const input = { data: new Float32Array(C * T * H * W).fill(7), shape: [C, T, H, W] as const };
    const boxes = randomErasing(input, Random.from(s));
    if (boxes.length === 0) {
      assert.ok(input.data.every((v) => v === 7));
      continue;
    }
    erasedClips++;
    const [box] = boxes;
    const area = (box.height * box.width) / (H * W);
    assert.ok(area > 0.015 && area < 0.36, `area ${area}`);
    assert.ok(box.top + box.height <= H && box.left + box.width <= W);
    for (let c = 0; c < C; c++) {
      for (let t = 0; t < T; t++) {
        const base = (c * T + t) * H * W;
        assert.notEqual(input.data[base + box.top * W + box.left], 7);
        if (box.top > 0) assert.equal(input.data[base + (box.top - 1) * W + box.left], 7);
      }
    }
  }
  // p = 0.25 over 200 clips.
  assert.ok(erasedClips > 30 && erasedClips < 75, `${erasedClips}`);
});

Deno.test("randomErasing: const mode writes zeros; rejects a wrong shape", () => {
  const input = { data: new Float32Array(1 * 1 * 20 * 20).fill(5), shape: [1, 1, 20, 20] as const };
  const [box] = randomErasing(input, Random.from(1), { probability: 1, mode: "const" });
  assert.equal(input.data[box.top * 20 + box.left], 0);
  assert.throws(
    () => randomErasing({ data: new Float32Array(3), shape: [1, 1, 2, 2] }, Random.from(0)),
    /does not match/,
  );
});

Deno.test("probeTrainTransform: shape, reproducibility, records what it did", () => {
  const clip = makeClip(Uint8Array.from({ length: 4 * 48 * 48 }, (_, i) => i % 251), [4, 48, 48]);
  const a = probeTrainTransform(clip, Random.from(4), { cropSize: 32 });
  const b = probeTrainTransform(clip, Random.from(4), { cropSize: 32 });
  assert.deepEqual(a.shape, [3, 4, 32, 32]);
  assert.deepEqual(a.data, b.data);
  assert.deepEqual(a.applied, b.applied);
  assert.equal(a.flipped, false);
  const plain = probeTrainTransform(clip, Random.from(4), {
    cropSize: 32,
    randAugment: false,
    erasing: false,
  });
  assert.deepEqual(plain.applied, []);
  assert.deepEqual(plain.erased, []);
});
