import assert from "node:assert/strict";
import { createFile } from "mp4box";
import { writeAvi } from "./avi_writer.ts";
import { VideoError } from "./errors.ts";
import { decodeWithFfmpeg, findFfmpeg } from "./ffmpeg.ts";
import { probeMp4 } from "./mp4_reader.ts";
import { openVideo, probeVideo } from "./open_video.ts";
import { difference, syntheticFrames } from "./test_util.ts";
import { optionalTest } from "@echojepa/core/testing";

/**
 * A tiny MP4 built with mp4box: one avc1 track, 12 samples of 1/30 s. The samples are not a decodable H.264
 * stream (no encoder here); the container alone is what this tests.
 */
function tinyMp4(): Uint8Array {
  const iso = createFile();
  // avcC: version 1, Baseline profile 66, level 3.0, 4-byte NAL lengths, one 4-byte SPS, one 4-byte PPS.
  const avcC = new Uint8Array([
    1,
    66,
    0,
    30,
    0xff,
    0xe1,
    0,
    4,
    0x67,
    66,
    0,
    30,
    1,
    0,
    4,
    0x68,
    0xce,
    0x3c,
    0x80,
  ]);
  const track = iso.addTrack({
    type: "avc1",
    width: 64,
    height: 48,
    timescale: 30000,
    avcDecoderConfigRecord: avcC.buffer,
  });
  for (let i = 0; i < 12; i++) {
    iso.addSample(track, new Uint8Array([0, 0, 0, 2, 0x65, i]), { duration: 1000, is_sync: i === 0 });
  }
  const stream = iso.getBuffer();
  return new Uint8Array(stream.buffer.slice(0, stream.byteLength));
}

Deno.test("probeMp4 reads codec, size, frame count and rate from the container", async () => {
  const bytes = tinyMp4();
  assert.deepEqual(probeMp4(bytes, "tiny.mp4"), {
    codec: "avc1.42001e",
    width: 64,
    height: 48,
    frameCount: 12,
    fps: 30,
    durationS: 0.4,
  });
  const info = await probeVideo(bytes, { label: "tiny.mp4" });
  assert.equal(info.format, "mp4");
  assert.equal(info.frameCount, 12);
});

Deno.test("truncated MP4s give a typed error", () => {
  const bytes = tinyMp4();
  for (let cut = 8; cut < bytes.length; cut += 97) {
    try {
      probeMp4(bytes.slice(0, cut), "cut.mp4");
    } catch (error) {
      assert.ok(error instanceof VideoError, `cut at ${cut}: ${error}`);
    }
  }
});

Deno.test("decoding MP4 frames without ffmpeg gives a missing-tool error that says how to install it", async () => {
  // An explicit binary that does not exist stands for a machine without ffmpeg (no process-wide env change,
  // so tests running in parallel are not affected).
  {
    const video = await openVideo(tinyMp4(), { label: "tiny.mp4", ffmpegPath: "/nonexistent/ffmpeg" });
    await assert.rejects(
      () => video.readFrame(0),
      (error: unknown) =>
        error instanceof VideoError && error.kind === "missing-tool" &&
        /apt-get install ffmpeg/.test(error.message) &&
        /FFMPEG_PATH/.test(error.message),
    );
  }
});

const NO_FFMPEG = (await findFfmpeg()) ? undefined : "ffmpeg not found (install it or set FFMPEG_PATH)";
optionalTest("ffmpeg decodes an MJPEG AVI like the native reader", NO_FFMPEG, async () => {
  const frames = syntheticFrames(4, 48, 32, 1);
  const avi = writeAvi(frames, { width: 48, height: 32, channels: 1, fps: 25, quality: 95 });
  const decoded = await decodeWithFfmpeg(avi, "ffmpeg.avi", { channels: 1, width: 48, height: 32 });
  assert.equal(decoded.length, 4 * 48 * 32);
  const native = await (await openVideo(avi)).readAll();
  assert.ok(difference(decoded, native.data).mean < 2);
});
