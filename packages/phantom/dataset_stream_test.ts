import assert from "node:assert/strict";
import { planDataset, renderClipSpec } from "./dataset.ts";
import { streamDataset } from "./dataset_stream.ts";

const OPTS = { patients: 4, seed: 5, views: ["A4C", "PLAX"] as const, frames: 2, height: 32, width: 32 };

Deno.test("streamDataset yields a split's clips in plan order, identical to direct rendering", async () => {
  const expected = planDataset(OPTS).filter((s) => s.split === "train");
  const got = [];
  for await (const item of streamDataset({ ...OPTS, split: "train", workers: 2, prefetch: 3 })) {
    got.push(item);
  }
  assert.equal(got.length, expected.length);
  got.forEach(({ spec, clip }, i) => {
    assert.deepEqual(spec, expected[i]);
    assert.deepEqual(clip.frames, renderClipSpec(spec, OPTS).frames);
  });
});

Deno.test("streamDataset shuffles deterministically and stops cleanly on break", async () => {
  const order = async (seed: number) => {
    const ids: string[] = [];
    for await (const { spec } of streamDataset({ ...OPTS, shuffleSeed: seed, workers: 1 })) {
      ids.push(`${spec.patientId}/${spec.view}`);
    }
    return ids;
  };
  const a = await order(1), b = await order(1), c = await order(2);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  let n = 0;
  for await (const _ of streamDataset({ ...OPTS, workers: 2 })) if (++n === 2) break;
  assert.equal(n, 2);
});
