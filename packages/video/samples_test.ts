/**
 * Every real sample in ../shared/samples decodes to frames that look right: frame count, size, frame rate,
 * and brightness inside versus outside the detected sector. Ignored (with the reason) when the samples are absent.
 */
import assert from "node:assert/strict";
import { openVideo } from "./open_video.ts";
import { detectSector, toGrey } from "./sector.ts";
import { missingSample, readSample } from "./test_util.ts";
import { optionalTest } from "@echojepa/core/testing";
import type { Video } from "./video.ts";

interface Expected {
  frames: number;
  width: number;
  height: number;
  channels: 1 | 3;
  fps: number;
  /** Range of the mean grey level inside the detected sector. */
  insideMean: [number, number];
}

const EXPECTED: Record<string, Expected> = {
  "derived_a4c_112x112_mjpeg_30fps.avi": {
    frames: 30,
    width: 112,
    height: 112,
    channels: 1,
    fps: 30,
    insideMean: [24, 34],
  },
  "dicomparser_IM00001_us_doppler_jpegbaseline_8f.dcm": {
    frames: 8,
    width: 320,
    height: 240,
    channels: 3,
    fps: 1000 / ((33.333 + 50 + 33.333 + 50 + 50 + 50 + 33.333 + 43.333) / 8),
    insideMean: [48, 62],
  },
  "gdcm_US-RGB-8-esopecho_tee_native_rgb.dcm": {
    frames: 1,
    width: 256,
    height: 120,
    channels: 3,
    fps: 30, // a still states no timing: the 30 fps default
    insideMean: [35, 46],
  },
  "pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm": {
    frames: 30,
    width: 320,
    height: 240,
    channels: 3,
    fps: 1000 / 33.333,
    insideMean: [24, 34],
  },
  "pydicomdata_OBXXXX1A_rle_us_palette.dcm": {
    frames: 1,
    width: 800,
    height: 600,
    channels: 3,
    fps: 30,
    insideMean: [74, 88],
  },
};

async function open(name: string): Promise<Video> {
  return await openVideo(readSample(name), { label: name });
}

for (const [name, expected] of Object.entries(EXPECTED)) {
  optionalTest(
    `sample ${name} decodes with the right size, timing and content`,
    missingSample(name),
    async () => {
      const video = await open(name);
      assert.equal(video.frameCount, expected.frames);
      assert.equal(video.width, expected.width);
      assert.equal(video.height, expected.height);
      assert.equal(video.channels, expected.channels);
      assert.ok(Math.abs(video.fps - expected.fps) < 1e-6, `fps ${video.fps}`);
      const grey = toGrey(await video.readAll());
      const sector = detectSector(grey, { within: video.tissueRegion });
      const pixels = video.width * video.height;
      let inside = 0;
      let insideCount = 0;
      let outside = 0;
      let outsideCount = 0;
      for (let i = 0; i < grey.data.length; i++) {
        if (sector.mask[i % pixels]) {
          inside += grey.data[i];
          insideCount++;
        } else {
          outside += grey.data[i];
          outsideCount++;
        }
      }
      const insideMean = inside / insideCount;
      assert.ok(
        insideMean >= expected.insideMean[0] && insideMean <= expected.insideMean[1],
        `mean inside sector ${insideMean}`,
      );
      if (outsideCount > 0) {
        assert.ok(outside / outsideCount < insideMean, "sector brighter than its surround");
      }
      video.close();
    },
  );
}

optionalTest(
  "sample pydicom A4C: YBR JPEG decodes to grey-looking RGB, with the sector in the middle",
  missingSample("pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm"),
  async () => {
    const video = await open("pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm");
    const frame = await video.readFrame(10);
    // B-mode is grey: in the centre R, G and B agree (a YBR-as-RGB bug would tint everything green/purple).
    let spread = 0;
    for (let y = 100; y < 140; y++) {
      for (let x = 140; x < 180; x++) {
        const i = (y * 320 + x) * 3;
        spread += Math.max(frame[i], frame[i + 1], frame[i + 2]) -
          Math.min(frame[i], frame[i + 1], frame[i + 2]);
      }
    }
    assert.ok(spread / 1600 < 4, `mean channel spread ${spread / 1600}`);
    // Its ultrasound region describes a 640x480 original, not these 320x240 pixels: ignored as stale.
    assert.equal(video.tissueRegion, undefined);
    const sector = detectSector(toGrey(await video.readAll()));
    const cx = (sector.box.x0 + sector.box.x1) / 2;
    assert.ok(cx > 130 && cx < 190, `sector centre x ${cx}`);
    assert.equal(sector.method, "motion");
  },
);

optionalTest(
  "sample IM00001: variable FrameTimeVector, colour Doppler present, spacing from the region",
  missingSample("dicomparser_IM00001_us_doppler_jpegbaseline_8f.dcm"),
  async () => {
    const video = await open("dicomparser_IM00001_us_doppler_jpegbaseline_8f.dcm");
    assert.deepEqual(video.frameTimesMs, [33.333, 50, 33.333, 50, 50, 50, 33.333, 43.333]);
    assert.ok(video.spacing && video.spacing.xCm > 0, "positive spacing despite the negative PhysicalDeltaX");
    assert.deepEqual(video.tissueRegion, { x0: 0, y0: 16, x1: 320, y1: 218 });
    const frame = await video.readFrame(0);
    let coloured = 0;
    for (let i = 0; i < frame.length; i += 3) {
      if (Math.abs(frame[i] - frame[i + 2]) > 60) coloured++;
    }
    assert.ok(coloured > 200, `only ${coloured} colour-flow pixels`);
  },
);

optionalTest(
  "sample RLE palette: the palette maps to colour (blue header bar)",
  missingSample("pydicomdata_OBXXXX1A_rle_us_palette.dcm"),
  async () => {
    const video = await open("pydicomdata_OBXXXX1A_rle_us_palette.dcm");
    assert.equal(video.codec, "rle-lossless");
    // Its tissue region's max X is written as 800 (= Columns): clamped, not dropped.
    assert.deepEqual(video.tissueRegion, { x0: 120, y0: 60, x1: 800, y1: 519 });
    assert.ok(Math.abs(video.spacing!.xCm - 0.026229) < 1e-5);
    const frame = await video.readFrame(0);
    const i = (30 * 800 + 400) * 3; // inside the top bar
    assert.ok(frame[i + 2] > frame[i] + 20, `pixel ${frame[i]},${frame[i + 1]},${frame[i + 2]} is not blue`);
  },
);

const AVI = "derived_a4c_112x112_mjpeg_30fps.avi";
optionalTest(
  "sample MJPEG AVI opens as grey with channels forced to 3 replicating it",
  missingSample(AVI),
  async () => {
    const bytes = readSample(AVI);
    const grey = await openVideo(bytes, { label: "a.avi" });
    const rgb = await openVideo(bytes, { label: "a.avi", channels: 3 });
    const g = await grey.readFrame(5);
    const c = await rgb.readFrame(5);
    for (let i = 0; i < g.length; i += 97) assert.ok(Math.abs(c[i * 3] - g[i]) <= 2);
  },
);
