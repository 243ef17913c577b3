import assert from "node:assert/strict";
import { openDicom } from "./dicom_reader.ts";
import { type DicomWritePhotometric, type DicomWriteSyntax, writeDicom } from "./dicom_writer.ts";
import { difference, syntheticFrames } from "./test_util.ts";

const W = 24;
const H = 16;
const LOSSLESS: DicomWriteSyntax[] = [
  "implicit-le",
  "explicit-le",
  "explicit-be",
  "deflated-le",
  "rle",
  "jpeg-lossless",
  "jpeg-lossless-14",
];

for (const syntax of LOSSLESS) {
  for (const photometric of ["MONOCHROME2", "MONOCHROME1", "RGB", "YBR_FULL"] as DicomWritePhotometric[]) {
    for (
      const planar of photometric === "RGB" || photometric === "YBR_FULL" ? [0, 1] as const : [0] as const
    ) {
      Deno.test(`writeDicom round-trips ${syntax} ${photometric} planar ${planar}`, async () => {
        const channels = photometric.startsWith("MONO") ? 1 : 3;
        const frames = syntheticFrames(3, W, H, channels);
        const bytes = writeDicom(frames, {
          width: W,
          height: H,
          channels,
          fps: 25,
          transferSyntax: syntax,
          photometric,
          planarConfiguration: planar,
        });
        const video = openDicom(bytes, "synthetic.dcm");
        assert.equal(video.frameCount, 3);
        assert.equal(video.width, W);
        assert.equal(video.height, H);
        assert.equal(video.channels, channels);
        assert.ok(Math.abs(video.fps - 25) < 1e-9);
        for (let t = 0; t < 3; t++) {
          const diff = difference(await video.readFrame(t), frames[t]);
          // YBR_FULL rounds twice (RGB→YCbCr on write, back on read).
          assert.ok(diff.max <= (photometric === "YBR_FULL" ? 2 : 0), `frame ${t} max diff ${diff.max}`);
        }
      });
    }
  }
}

Deno.test("writeDicom round-trips PALETTE COLOR (native and RLE)", async () => {
  const palette = new Uint8Array(768);
  for (let i = 0; i < 256; i++) palette.set([i, 255 - i, (i * 7) & 255], i * 3);
  const indices = syntheticFrames(2, W, H, 1);
  for (const transferSyntax of ["explicit-le", "rle", "explicit-be"] as const) {
    const bytes = writeDicom(indices, {
      width: W,
      height: H,
      channels: 1,
      fps: 30,
      photometric: "PALETTE COLOR",
      palette,
      transferSyntax,
    });
    const video = openDicom(bytes, "palette.dcm");
    assert.equal(video.channels, 3);
    const rgb = await video.readFrame(1);
    for (let i = 0; i < W * H; i++) {
      const v = indices[1][i];
      assert.deepEqual([...rgb.subarray(i * 3, i * 3 + 3)], [v, 255 - v, (v * 7) & 255], transferSyntax);
    }
  }
});

for (const channels of [1, 3] as const) {
  for (const fragmentsPerFrame of [1, 3]) {
    for (const emptyOffsetTable of [false, true]) {
      Deno.test(
        `writeDicom JPEG Baseline ${channels}ch, ${fragmentsPerFrame} fragment(s)/frame, empty BOT ${emptyOffsetTable}`,
        async () => {
          const frames = syntheticFrames(4, 64, 48, channels);
          const bytes = writeDicom(frames, {
            width: 64,
            height: 48,
            channels,
            fps: 50,
            transferSyntax: "jpeg-baseline",
            fragmentsPerFrame,
            emptyOffsetTable,
            jpegQuality: 95,
          });
          const video = openDicom(bytes, "jpeg.dcm");
          assert.equal(video.codec, "jpeg-baseline");
          assert.equal(video.frameCount, 4);
          assert.equal(video.channels, channels);
          for (let t = 0; t < 4; t++) {
            const diff = difference(await video.readFrame(t), frames[t]);
            assert.ok(diff.mean < 3, `frame ${t} mean diff ${diff.mean}`);
          }
        },
      );
    }
  }
}

Deno.test("writeDicom writes timing and ultrasound region that the reader returns", () => {
  const frames = syntheticFrames(4, W, H, 1);
  const bytes = writeDicom(frames, {
    width: W,
    height: H,
    channels: 1,
    fps: 30,
    frameTimesMs: [20, 40, 20, 40],
    spacing: { xCm: 0.05, yCm: 0.06 },
    tissueRegion: { x0: 2, y0: 1, x1: 20, y1: 15 },
  });
  const video = openDicom(bytes, "timed.dcm");
  assert.deepEqual(video.frameTimesMs, [20, 40, 20, 40]);
  assert.ok(Math.abs(video.fps - 1000 / 30) < 1e-9);
  assert.deepEqual(video.spacing, { xCm: 0.05, yCm: 0.06 });
  assert.deepEqual(video.tissueRegion, { x0: 2, y0: 1, x1: 20, y1: 15 });
});

Deno.test("writeDicom rejects inconsistent input with a message naming the problem", () => {
  assert.throws(
    () => writeDicom([new Uint8Array(5)], { width: W, height: H, channels: 1, fps: 30 }),
    /frame 0 has 5 bytes/,
  );
  assert.throws(
    () => writeDicom([new Uint8Array(W * H)], { width: W, height: H, channels: 1, fps: 0 }),
    /fps must be positive/,
  );
});

for (const transferSyntax of ["explicit-le", "implicit-le", "explicit-be", "deflated-le", "rle"] as const) {
  for (const photometric of ["MONOCHROME2", "MONOCHROME1"] as const) {
    Deno.test(`writeDicom round-trips 12-bit ${photometric} ${transferSyntax} (read as the top 8 bits)`, async () => {
      const frames = syntheticFrames(2, W, H, 1).map((f) => Uint16Array.from(f, (v, i) => v * 16 + (i % 16)));
      const bytes = writeDicom(frames, {
        width: W,
        height: H,
        channels: 1,
        fps: 30,
        transferSyntax,
        photometric,
        bitsStored: 12,
      });
      const video = openDicom(bytes, "deep.dcm");
      const pixels = await video.readFrame(1);
      for (let i = 0; i < pixels.length; i++) assert.equal(pixels[i], frames[1][i] >> 4);
    });
  }
}

Deno.test("writeDicom round-trips native YBR_FULL_422 (chroma shared by pixel pairs)", async () => {
  const frames = syntheticFrames(2, W, H, 3);
  const bytes = writeDicom(frames, {
    width: W,
    height: H,
    channels: 3,
    fps: 30,
    photometric: "YBR_FULL_422",
  });
  const video = openDicom(bytes, "422.dcm");
  assert.equal(video.channels, 3);
  assert.ok(difference(await video.readFrame(1), frames[1]).mean < 3);
  assert.throws(
    () =>
      writeDicom([new Uint16Array(W * H)], {
        width: W,
        height: H,
        channels: 1,
        fps: 30,
        transferSyntax: "jpeg-baseline",
        bitsStored: 12,
      }),
    /only as MONOCHROME, native or RLE/,
  );
});

Deno.test("writeDicom JPEG Extended (8-bit) round-trips and is labelled jpeg-extended", async () => {
  for (const channels of [1, 3] as const) {
    const frames = syntheticFrames(2, 32, 16, channels);
    const bytes = writeDicom(frames, {
      width: 32,
      height: 16,
      channels,
      fps: 30,
      transferSyntax: "jpeg-extended",
    });
    const video = openDicom(bytes, "ext.dcm");
    assert.equal(video.codec, "jpeg-extended");
    assert.ok(difference(await video.readFrame(1), frames[1]).mean < 3);
  }
});
