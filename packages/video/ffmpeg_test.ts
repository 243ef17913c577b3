/**
 * The ffmpeg path on real encoded streams: H.264 and HEVC in MP4, MPEG-4 Part 2 in AVI, H.264 in DICOM. The
 * streams are made by ffmpeg itself from synthetic frames, so these tests are ignored (with the reason) without
 * ffmpeg or without the encoder a case needs.
 */
import assert from "node:assert/strict";
import { writeAvi } from "./avi_writer.ts";
import { writeDicom } from "./dicom_writer.ts";
import { findFfmpeg, lazyFfmpegFrames } from "./ffmpeg.ts";
import { openVideo } from "./open_video.ts";
import { difference, syntheticFrames } from "./test_util.ts";
import { optionalTest } from "@echojepa/core/testing";

const FFMPEG = await findFfmpeg();
const NO_FFMPEG = "ffmpeg not found (install it or set FFMPEG_PATH)";

/** The encoder names this ffmpeg lists (`ffmpeg -encoders`). */
async function listEncoders(ffmpeg: string): Promise<Set<string>> {
  const result = await new Deno.Command(ffmpeg, {
    args: ["-hide_banner", "-encoders"],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  const names = new TextDecoder().decode(result.stdout).split("\n").map((line) =>
    line.trim().split(/\s+/)[1]
  );
  return new Set(names.filter((n): n is string => !!n));
}

const ENCODERS = FFMPEG ? await listEncoders(FFMPEG) : new Set<string>();

/** Why a case that encodes with `encoder` cannot run, or `undefined`. */
function missingEncoder(encoder: string): string | undefined {
  if (!FFMPEG) return NO_FFMPEG;
  return ENCODERS.has(encoder) ? undefined : `this ffmpeg has no ${encoder} encoder`;
}

const W = 64;
const H = 48;
const FRAMES = syntheticFrames(10, W, H, 1);

/** Re-encodes an MJPEG AVI of the synthetic frames with ffmpeg; returns the output bytes. */
async function encode(ffmpeg: string, args: string[], extension: string): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/in.avi`,
      writeAvi(FRAMES, { width: W, height: H, channels: 1, fps: 25, quality: 98 }),
    );
    const out = `${dir}/out.${extension}`;
    const result = await new Deno.Command(ffmpeg, {
      args: ["-v", "error", "-y", "-i", `${dir}/in.avi`, ...args, out],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!result.success) throw new Error(new TextDecoder().decode(result.stderr));
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CASES: [string, string[], string][] = [
  ["H.264 in MP4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12"], "mp4"],
  [
    "HEVC in MP4",
    ["-c:v", "libx265", "-pix_fmt", "yuv420p", "-crf", "12", "-x265-params", "log-level=error"],
    "mp4",
  ],
  ["MPEG-4 Part 2 in AVI", ["-c:v", "mpeg4", "-vtag", "DIVX", "-q:v", "2"], "avi"],
];

for (const [name, args, extension] of CASES) {
  const encoder = args[args.indexOf("-c:v") + 1];
  optionalTest(`ffmpeg path decodes ${name}`, missingEncoder(encoder), async () => {
    const bytes = await encode(FFMPEG!, args, extension);
    const video = await openVideo(bytes, { label: `test.${extension}`, channels: 1 });
    assert.equal(video.frameCount, 10);
    assert.equal(video.width, W);
    assert.equal(video.height, H);
    assert.ok(Math.abs(video.fps - 25) < 0.01, `fps ${video.fps}`);
    const all = await video.readAll();
    for (let t = 0; t < 10; t++) {
      const diff = difference(all.data.subarray(t * W * H, (t + 1) * W * H), FRAMES[t]);
      assert.ok(diff.mean < 4, `frame ${t} mean diff ${diff.mean}`);
    }
  });
}

optionalTest(
  "ffmpeg path decodes H.264 in DICOM (MPEG-4 AVC transfer syntax)",
  missingEncoder("libx264"),
  async () => {
    const stream = await encode(
      FFMPEG!,
      ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12", "-f", "h264"],
      "h264",
    );
    const dcm = writeDicom(FRAMES, {
      width: W,
      height: H,
      channels: 1,
      fps: 25,
      transferSyntax: "h264",
      videoStream: stream,
    });
    const video = await openVideo(dcm, { label: "h264.dcm", channels: 1 });
    assert.equal(video.codec, "h264-high");
    assert.equal(video.frameCount, 10);
    const last = await video.readFrame(9);
    assert.ok(difference(last, FRAMES[9]).mean < 4);
  },
);

optionalTest(
  "ffmpeg decoding stops after the frames a batch needs, and resumes for later ones",
  FFMPEG ? undefined : NO_FFMPEG,
  async () => {
    const avi = writeAvi(FRAMES, { width: W, height: H, channels: 1, fps: 25, quality: 98 });
    const decode = lazyFfmpegFrames(avi, "partial.avi", { channels: 1, width: W, height: H });
    await decode.prefetch!(2); // decodes frames 0..2 only
    assert.ok(difference(await decode(2), FRAMES[2]).mean < 3);
    assert.ok(difference(await decode(9), FRAMES[9]).mean < 3); // past the partial decode: whole stream
    await assert.rejects(async () => await decode(10), /ffmpeg produced only 10 frames/);
  },
);
