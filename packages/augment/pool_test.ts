import assert from "node:assert/strict";
import { AugmentPool } from "./pool.ts";
import { makeClip, Random } from "@echojepa/core";
import { evalTransform, trainTransform } from "./video_transform.ts";

const clip = makeClip(Uint8Array.from({ length: 3 * 30 * 40 }, (_, i) => (i * 31) % 256), [3, 30, 40]);

Deno.test("AugmentPool: results equal the in-thread transforms with the same seed tuple", async () => {
  const pool = new AugmentPool(2);
  try {
    const jobs = [0, 1, 2, 3].map((i) =>
      pool.run({ kind: "train", clip, seed: ["clip", i], options: { cropSize: 16 } })
    );
    const results = await Promise.all(jobs);
    results.forEach((result, i) => {
      const expected = trainTransform(clip, Random.from("clip", i), { cropSize: 16 });
      assert.deepEqual(result.crop, expected.crop);
      assert.deepEqual(Array.from(result.data), Array.from(expected.data));
    });
    const val = await pool.run({ kind: "eval", clip, seed: [], options: { cropSize: 16 } });
    assert.deepEqual(Array.from(val.data), Array.from(evalTransform(clip, { cropSize: 16 }).data));
    const probe = await pool.run({ kind: "probe", clip, seed: [1], options: { cropSize: 16 } });
    assert.ok("applied" in probe);
  } finally {
    pool.close();
  }
});

Deno.test("AugmentPool: errors name the job; closed pools reject", async () => {
  const pool = new AugmentPool(1);
  await assert.rejects(
    pool.run({ kind: "train", clip, seed: [0], options: { cropSize: 0 } }),
    /AugmentPool job 0: RangeError: trainTransform: cropSize/,
  );
  pool.close();
  await assert.rejects(pool.run({ kind: "train", clip, seed: [0] }), /closed/);
});
