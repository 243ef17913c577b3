import assert from "node:assert/strict";
import { asVideoError, VideoError } from "./errors.ts";
import { makeVideo, type VideoInfo } from "./video.ts";

const INFO: VideoInfo = {
  file: "v.bin",
  format: "avi",
  codec: "test",
  frameCount: 3,
  width: 2,
  height: 2,
  channels: 1,
  fps: 10,
  durationS: 0.3,
};

Deno.test("makeVideo checks indices and sizes and names the file and frame in errors", async () => {
  let calls = 0;
  const video = makeVideo(INFO, (i) => {
    calls++;
    if (i === 2) throw new Error("bad entropy data");
    return new Uint8Array(4).fill(i);
  });
  const stack = await video.readFrames([1, 0, 1, 1]);
  assert.deepEqual(stack.shape, [4, 2, 2]);
  assert.deepEqual([...stack.data], [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(calls, 2); // repeated indices are decoded once
  await assert.rejects(() => video.readFrame(3), /v\.bin: frame index 3 outside 0\.\.2/);
  await assert.rejects(
    () => video.readFrame(2),
    (e: unknown) =>
      e instanceof VideoError && e.frame === 2 && e.kind === "corrupt" &&
      /frame 2: bad entropy/.test(e.message),
  );
  const wrongSize = makeVideo(INFO, () => new Uint8Array(3));
  await assert.rejects(() => wrongSize.readFrame(0), /decoded 3 bytes, expected 4/);
  video.close();
  await assert.rejects(() => video.readFrame(0), /video is closed/);
});

Deno.test("asVideoError keeps VideoErrors, maps RangeErrors to truncated and other errors to corrupt", () => {
  const original = new VideoError("a", "unsupported", "x");
  assert.equal(asVideoError("b", original), original);
  assert.equal(asVideoError("b", new RangeError("offset is out of bounds")).kind, "truncated");
  assert.equal(asVideoError("b", "a thrown string").kind, "corrupt");
  assert.equal(asVideoError("b", new Error("boom"), 4).frame, 4);
});
