import assert from "node:assert/strict";
import { openAvi, parseAviLayout } from "./avi_reader.ts";
import { writeAvi } from "./avi_writer.ts";
import { difference, syntheticFrames } from "./test_util.ts";

for (const codec of ["MJPG", "DIB"] as const) {
  for (const channels of [1, 3] as const) {
    for (const width of [112, 37]) { // 37: odd width exercises DIB row padding
      Deno.test(`writeAvi round-trips ${codec} ${channels}ch ${width}px`, async () => {
        const frames = syntheticFrames(5, width, 112, channels);
        const bytes = writeAvi(frames, { width, height: 112, channels, fps: 50, codec, quality: 95 });
        const layout = parseAviLayout(bytes, "w.avi");
        assert.equal(layout.codec, codec);
        assert.equal(layout.chunks.length, 5);
        const video = openAvi(bytes, "w.avi");
        assert.equal(video.channels, channels);
        assert.equal(video.fps, 50);
        assert.equal(video.durationS, 0.1);
        for (let t = 0; t < 5; t++) {
          const diff = difference(await video.readFrame(t), frames[t]);
          if (codec === "DIB") assert.equal(diff.max, 0);
          else assert.ok(diff.mean < 3, `frame ${t} mean diff ${diff.mean}`);
        }
      });
    }
  }
}

Deno.test("writeAvi keeps fractional frame rates", () => {
  const bytes = writeAvi(syntheticFrames(2, 16, 16, 1), { width: 16, height: 16, channels: 1, fps: 29.97 });
  assert.ok(Math.abs(parseAviLayout(bytes, "f.avi").fps - 29.97) < 1e-9);
});

Deno.test("writeAvi accepts one [T,H,W] buffer", async () => {
  const stack = new Uint8Array(3 * 8 * 8).map((_, i) => i % 200);
  const video = openAvi(
    writeAvi(stack, { width: 8, height: 8, channels: 1, fps: 30, codec: "DIB" }),
    "s.avi",
  );
  assert.deepEqual(await video.readFrame(2), stack.subarray(128, 192));
});
