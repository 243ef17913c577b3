import assert from "node:assert/strict";
import { segmentInputs } from "./segment_inputs.ts";
import { evalTransform } from "./video_transform.ts";
import { makeClip } from "@echojepa/core";

Deno.test("segmentInputs: one evaluation transform per window, in order", () => {
  const data = new Uint8Array(2 * 4 * 40 * 48).map((_, i) => (i * 7) % 251);
  const inputs = segmentInputs(makeClip(data, [8, 40, 48]), { segments: 2, frames: 4, resolution: 32 });
  assert.equal(inputs.length, 2);
  const second = evalTransform(makeClip(data.subarray(4 * 40 * 48), [4, 40, 48]), { cropSize: 32 });
  assert.deepEqual(inputs[1], second.data);
  assert.notDeepEqual(inputs[0], inputs[1]);
});

Deno.test("segmentInputs: rejects a clip of the wrong length", () => {
  const clip = makeClip(new Uint8Array(8 * 40 * 40), [8, 40, 40]);
  assert.throws(
    () => segmentInputs(clip, { segments: 1, frames: 4, resolution: 32 }),
    /8 frames, expected 1×4/,
  );
});
