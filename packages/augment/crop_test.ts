import assert from "node:assert/strict";
import {
  centerCropWithAspect,
  ECHOJEPA_CROP_RANGE,
  roundHalfEven,
  sampleResizedCrop,
  shortSideResizeCenterCrop,
  VJEPA_CROP_RANGE,
} from "./crop.ts";
import { Random } from "@echojepa/core";

Deno.test("roundHalfEven matches Python's round", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 0, 2, 3]);
});

for (const [name, range] of [["EchoJEPA", ECHOJEPA_CROP_RANGE], ["V-JEPA", VJEPA_CROP_RANGE]] as const) {
  Deno.test(`sampleResizedCrop (${name}): 5000 draws stay inside the frame and the scale/aspect bounds`, () => {
    const rng = Random.from(42);
    const height = 240;
    const width = 320;
    let minArea = Infinity;
    let maxArea = 0;
    for (let i = 0; i < 5000; i++) {
      const box = sampleResizedCrop(height, width, range, rng);
      assert.ok(box.top >= 0 && box.left >= 0, JSON.stringify(box));
      assert.ok(box.top + box.height <= height && box.left + box.width <= width, JSON.stringify(box));
      // w and h are rounded to whole pixels, so allow half a pixel on each side.
      const area = box.height * box.width / (height * width);
      const areaSlack = (box.height + box.width + 1) / 2 / (height * width);
      assert.ok(area >= range.scale[0] - areaSlack && area <= range.scale[1] + areaSlack, `area ${area}`);
      const aspect = box.width / box.height;
      const lo = (box.width - 0.5) / (box.height + 0.5);
      const hi = (box.width + 0.5) / (box.height - 0.5);
      assert.ok(hi >= range.aspectRatio[0] && lo <= range.aspectRatio[1], `aspect ${aspect}`);
      minArea = Math.min(minArea, area);
      maxArea = Math.max(maxArea, area);
    }
    // The draws cover the range (EchoJEPA tops out at 240·264 px = 0.825 of a 4:3 frame: aspect ≤ 1.1).
    assert.ok(minArea < range.scale[0] + 0.05, `min area ${minArea}`);
    assert.ok(maxArea > 0.8, `max area ${maxArea}`);
  });
}

Deno.test("sampleResizedCrop is reproducible from the seed", () => {
  const a = Array.from(
    { length: 5 },
    (_, i) => sampleResizedCrop(240, 320, ECHOJEPA_CROP_RANGE, Random.from(i)),
  );
  const b = Array.from(
    { length: 5 },
    (_, i) => sampleResizedCrop(240, 320, ECHOJEPA_CROP_RANGE, Random.from(i)),
  );
  assert.deepEqual(a, b);
});

Deno.test("sampleResizedCrop falls back to the aspect-clamped centre crop when nothing fits", () => {
  // A 1×100 frame can never host an aspect ≤ 1.1 crop of half its area.
  const box = sampleResizedCrop(1, 100, ECHOJEPA_CROP_RANGE, Random.from(1));
  assert.deepEqual(box, centerCropWithAspect(1, 100, ECHOJEPA_CROP_RANGE.aspectRatio));
  assert.deepEqual(box, { top: 0, left: 49, height: 1, width: 1 });
  // 240×320 has aspect 1.333 > 1.1: keep full height, width round(240·1.1) = 264, centred.
  assert.deepEqual(centerCropWithAspect(240, 320, [0.9, 1.1]), { top: 0, left: 28, height: 240, width: 264 });
});

Deno.test("sampleResizedCrop rejects malformed ranges", () => {
  assert.throws(
    () => sampleResizedCrop(10, 10, { scale: [0.8, 0.2], aspectRatio: [1, 1] }, Random.from(0)),
    /scale/,
  );
  assert.throws(
    () => sampleResizedCrop(10, 10, { scale: [0.5, 1], aspectRatio: [0, 1] }, Random.from(0)),
    /aspect/,
  );
});

Deno.test("shortSideResizeCenterCrop: 320×240 at crop 224 resizes to 256×341 and keeps the centre", () => {
  assert.deepEqual(shortSideResizeCenterCrop(240, 320, 224), {
    resizedHeight: 256,
    resizedWidth: 341,
    top: 16,
    left: 58, // round(58.5) = 58 (ties to even)
    cropSize: 224,
  });
  // EchoNet's 112×112 at crop 112: short side 128, square.
  assert.deepEqual(shortSideResizeCenterCrop(112, 112, 112), {
    resizedHeight: 128,
    resizedWidth: 128,
    top: 8,
    left: 8,
    cropSize: 112,
  });
});
