import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { decodeJpegFast, UnsupportedJpegError } from "./jpeg_decoder.ts";
import { encodeBaselineJpeg } from "./jpeg_encoder.ts";
import dicomParser from "dicom-parser";
import { parseAviLayout } from "./avi_reader.ts";
import { difference, missingSample, readSample, syntheticFrames } from "./test_util.ts";
import { firstMissing, optionalTest } from "@echojepa/core/testing";

/** jpeg-js's decoding, the reference: RGB, or its first channel for grey. */
function reference(bytes: Uint8Array, channels: 1 | 3): Uint8Array {
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  const rgb = image.data as Uint8Array;
  return channels === 3 ? rgb : rgb.filter((_, i) => i % 3 === 0);
}

for (const [width, height] of [[112, 112], [37, 21], [8, 8], [1, 1]]) {
  for (const channels of [1, 3] as const) {
    for (const restart of [0, 1, 3]) {
      Deno.test(`fast JPEG decoder matches jpeg-js: ${width}x${height}x${channels}, restart ${restart}`, () => {
        for (const quality of [15, 75, 98]) {
          const pixels = syntheticFrames(1, width, height, channels)[0].map((v, i) =>
            (v + (i * 7919) % 23) & 255
          );
          const encoded = encodeBaselineJpeg(pixels, width, height, channels, quality, restart);
          for (const out of channels === 1 ? [1, 3] as const : [1, 3] as const) {
            const fast = decodeJpegFast(encoded, out, undefined);
            assert.equal(fast.width, width);
            assert.equal(fast.height, height);
            if (channels === 3 && out === 1) continue; // luma vs jpeg-js's RGB: compared through the samples below
            const diff = difference(fast.pixels, reference(encoded, out));
            assert.ok(diff.max <= 3 && diff.mean < 0.7, `q${quality} out ${out}: ${JSON.stringify(diff)}`);
          }
        }
      });
    }
  }
}

const DICOM_SAMPLE = "pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm";
const AVI_SAMPLE = "derived_a4c_112x112_mjpeg_30fps.avi";
optionalTest(
  "fast JPEG decoder matches jpeg-js on real frames (DICOM 4:2:2 YCbCr, MJPEG AVI)",
  firstMissing(missingSample(DICOM_SAMPLE), missingSample(AVI_SAMPLE)),
  () => {
    const frames: Uint8Array[] = [];
    const dicom = readSample(DICOM_SAMPLE);
    // One fragment per frame in this file.
    const data = dicomParser.parseDicom(dicom);
    for (const f of data.elements.x7fe00010.fragments!.slice(0, 5)) {
      frames.push(dicom.subarray(f.position, f.position + f.length));
    }
    const avi = readSample(AVI_SAMPLE);
    for (const c of parseAviLayout(avi, "a.avi").chunks.slice(0, 5)) {
      frames.push(avi.subarray(c.offset, c.offset + c.size));
    }
    assert.equal(frames.length, 10);
    for (const [k, frame] of frames.entries()) {
      const diff = difference(decodeJpegFast(frame, 3, undefined).pixels, reference(frame, 3));
      assert.ok(diff.max <= 3 && diff.mean < 0.3, `frame ${k}: ${JSON.stringify(diff)}`);
    }
  },
);

Deno.test("fast JPEG decoder declines progressive and 12-bit streams so callers can fall back", () => {
  const encoded = encodeBaselineJpeg(new Uint8Array(64).fill(100), 8, 8, 1);
  const sof = encoded.findIndex((b, i) => b === 0xff && encoded[i + 1] === 0xc0);
  const progressive = encoded.slice();
  progressive[sof + 1] = 0xc2;
  assert.throws(() => decodeJpegFast(progressive, 1, undefined), UnsupportedJpegError);
  const twelveBit = encoded.slice();
  twelveBit[sof + 4] = 12;
  assert.throws(() => decodeJpegFast(twelveBit, 1, undefined), UnsupportedJpegError);
});
