/**
 * Fuzz tests: truncated and bit-flipped versions of valid DICOM, AVI and clip-cache files must give a typed error
 * (VideoError / ClipCacheError) or a valid result — never a hang, a crash or another exception type.
 */
import assert from "node:assert/strict";
import { writeAvi } from "./avi_writer.ts";
import { writeDicom } from "./dicom_writer.ts";
import { VideoError } from "./errors.ts";
import { openVideo } from "./open_video.ts";
import { Random } from "@echojepa/core";
import { ClipCacheError, encodeShardHeader, parseCacheIndex, parseShardHeader } from "./clip_cache_format.ts";
import { prepareClipCache } from "./clip_cache_build.ts";
import { missingSample, readSample, syntheticFrames } from "./test_util.ts";
import { optionalTest } from "@echojepa/core/testing";

/** Mutations of a file: truncations at spread-out lengths, and copies with a few random bits flipped. */
function* mutations(bytes: Uint8Array, seed: number, count: number): Generator<[string, Uint8Array]> {
  const random = new Random(seed).source();
  for (let i = 0; i < count; i++) {
    const cut = Math.floor((bytes.length * (i + 0.5)) / count);
    yield [`truncated to ${cut}`, bytes.slice(0, cut)];
  }
  for (let i = 0; i < count; i++) {
    const copy = bytes.slice();
    const flips = 1 + Math.floor(random() * 4);
    // Half the flips land in the first 1 KiB, where headers live and damage matters most.
    for (let f = 0; f < flips; f++) {
      const range = random() < 0.5 ? Math.min(1024, copy.length) : copy.length;
      const at = Math.floor(random() * range);
      copy[at] ^= 1 << Math.floor(random() * 8);
    }
    yield [`${flips} bit(s) flipped (#${i})`, copy];
  }
}

async function decodeFully(bytes: Uint8Array): Promise<void> {
  const video = await openVideo(bytes, { label: "fuzz" });
  try {
    assert.ok(video.frameCount >= 1 && video.width >= 1 && video.height >= 1);
    for (let i = 0; i < Math.min(video.frameCount, 4); i++) {
      const frame = await video.readFrame(i);
      assert.equal(frame.length, video.width * video.height * video.channels);
    }
  } finally {
    video.close();
  }
}

async function assertTypedOrValid(
  name: string,
  bytes: Uint8Array,
  seed: number,
  count: number,
): Promise<number> {
  let failures = 0;
  for (const [what, mutated] of mutations(bytes, seed, count)) {
    try {
      await decodeFully(mutated);
    } catch (error) {
      if (!(error instanceof VideoError)) {
        throw new Error(`${name}, ${what}: untyped ${(error as Error)?.constructor?.name}: ${error}`, {
          cause: error,
        });
      }
      failures++;
    }
  }
  return failures;
}

const W = 32;
const H = 24;
const grey = syntheticFrames(3, W, H, 1);
const rgb = syntheticFrames(3, W, H, 3);
const fixtures: [string, Uint8Array][] = [
  ["dicom explicit-le", writeDicom(grey, { width: W, height: H, channels: 1, fps: 30 })],
  [
    "dicom implicit-le",
    writeDicom(grey, { width: W, height: H, channels: 1, fps: 30, transferSyntax: "implicit-le" }),
  ],
  [
    "dicom explicit-be rgb",
    writeDicom(rgb, { width: W, height: H, channels: 3, fps: 30, transferSyntax: "explicit-be" }),
  ],
  [
    "dicom deflated",
    writeDicom(grey, { width: W, height: H, channels: 1, fps: 30, transferSyntax: "deflated-le" }),
  ],
  ["dicom rle rgb", writeDicom(rgb, { width: W, height: H, channels: 3, fps: 30, transferSyntax: "rle" })],
  [
    "dicom jpeg fragmented",
    writeDicom(rgb, {
      width: W,
      height: H,
      channels: 3,
      fps: 30,
      transferSyntax: "jpeg-baseline",
      fragmentsPerFrame: 2,
      emptyOffsetTable: true,
      spacing: { xCm: 0.1, yCm: 0.1 },
    }),
  ],
  [
    "dicom jpeg-lossless rgb",
    writeDicom(rgb, { width: W, height: H, channels: 3, fps: 30, transferSyntax: "jpeg-lossless" }),
  ],
  [
    "dicom 12-bit rle",
    writeDicom(grey.map((f) => Uint16Array.from(f, (v) => v * 16)), {
      width: W,
      height: H,
      channels: 1,
      fps: 30,
      transferSyntax: "rle",
      bitsStored: 12,
    }),
  ],
  [
    "dicom ybr_full_422",
    writeDicom(rgb, { width: W, height: H, channels: 3, fps: 30, photometric: "YBR_FULL_422" }),
  ],
  ["avi mjpeg", writeAvi(grey, { width: W, height: H, channels: 1, fps: 30 })],
  ["avi dib rgb", writeAvi(rgb, { width: W, height: H, channels: 3, fps: 30, codec: "DIB" })],
];

fixtures.forEach(([name, bytes], k) => {
  Deno.test(`fuzz ${name}: truncated / bit-flipped files give a typed error or a valid video`, async () => {
    await decodeFully(bytes); // the original is valid
    const failures = await assertTypedOrValid(name, bytes, 1000 + k, 40);
    assert.ok(failures > 0, "the truncations should fail");
  });
});

for (
  const sample of [
    "pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
    "derived_a4c_112x112_mjpeg_30fps.avi",
  ]
) {
  optionalTest(`fuzz real sample ${sample}`, missingSample(sample), async () => {
    const bytes = readSample(sample);
    await assertTypedOrValid(sample, bytes, 7, 12);
  });
}

Deno.test("fuzz clip-cache shard headers and index files", async () => {
  const header = encodeShardHeader({ frames: 4, height: 8, width: 8, channels: 1 }, 3);
  for (const [what, mutated] of mutations(header, 3, 32)) {
    try {
      parseShardHeader(mutated, "s.bin", SHARD_FILE_BYTES);
    } catch (error) {
      assert.ok(error instanceof ClipCacheError, `${what}: ${error}`);
    }
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.avi`, writeAvi(grey, { width: W, height: H, channels: 1, fps: 30 }));
    await prepareClipCache([{ paths: [`${dir}/a.avi`], label: 1 }], `${dir}/c`, {
      framesPerClip: 2,
      size: 8,
    });
    const index = await Deno.readFile(`${dir}/c/index.json`);
    for (const [what, mutated] of mutations(index, 5, 32)) {
      try {
        parseCacheIndex(new TextDecoder().decode(mutated), "index.json");
      } catch (error) {
        assert.ok(error instanceof ClipCacheError, `${what}: ${error}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const SHARD_FILE_BYTES = 32 + 3 * 4 * 8 * 8;
