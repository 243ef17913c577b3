import assert from "node:assert/strict";
import { applyMask, boundingBox, cropStack, detectSector, squareBox, toGrey } from "./sector.ts";
import { type Clip, makeClip, Random, rowMajorData } from "@echojepa/core";

const W = 160;
const H = 120;

/** Ground-truth fan: apex at the top centre, ±40°, depth 0.9·H. */
function inFan(x: number, y: number): boolean {
  const dx = x - W / 2;
  return y > 2 && Math.hypot(dx, y) < H * 0.9 && Math.abs(Math.atan2(dx, y)) < (40 * Math.PI) / 180;
}

/** A cine with moving speckle in the fan, static text, and an ECG trace sweeping along the bottom. */
function fakeCine(frames: number): Clip<Uint8Array> {
  const random = new Random(3).source();
  const data = new Uint8Array(frames * W * H);
  for (let t = 0; t < frames; t++) {
    const frame = data.subarray(t * W * H, (t + 1) * W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) if (inFan(x, y)) frame[y * W + x] = 20 + Math.floor(random() * 180);
    }
    for (let x = 4; x < 40; x++) for (let y = 4; y < 10; y++) if ((x + y) % 3) frame[y * W + x] = 230; // text
    for (let x = 0; x <= Math.floor((t * W) / frames); x++) {
      frame[(H - 6 + Math.round(3 * Math.sin(x / 4))) * W + x] = 255; // ECG sweep, grows each frame
    }
  }
  return makeClip(data, [frames, H, W]);
}

Deno.test("detectSector finds the fan (IoU > 0.9) and leaves out the text and the ECG trace", () => {
  const sector = detectSector(fakeCine(20));
  assert.equal(sector.method, "motion");
  let intersection = 0;
  let union = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const truth = inFan(x, y);
      const found = sector.mask[y * W + x] === 1;
      if (truth && found) intersection++;
      if (truth || found) union++;
    }
  }
  assert.ok(intersection / union > 0.9, `IoU ${intersection / union}`);
  for (let x = 4; x < 40; x++) assert.equal(sector.mask[6 * W + x], 0, "text is outside");
  for (let x = 0; x < W; x += 7) assert.equal(sector.mask[(H - 6) * W + x], 0, "ECG is outside");
});

Deno.test("detectSector on a still uses brightness; an empty frame falls back to the whole frame", () => {
  const still = fakeCine(1);
  const sector = detectSector(still);
  assert.equal(sector.method, "intensity");
  assert.ok(sector.coverage > 0.3 && sector.coverage < 0.7);
  const empty = detectSector(makeClip(new Uint8Array(W * H), [1, H, W]));
  assert.equal(empty.method, "full");
  assert.deepEqual(empty.box, { x0: 0, y0: 0, x1: W, y1: H });
});

Deno.test("applyMask, cropStack, squareBox, boundingBox and toGrey", () => {
  const rgb = makeClip(Uint8Array.from({ length: 2 * 4 * 6 * 3 }, (_, i) => i % 251), [2, 4, 6, 3]);
  const mask = new Uint8Array(24);
  mask[7] = 1;
  mask[8] = 1;
  assert.deepEqual(boundingBox(mask, 6, 4), { x0: 1, y0: 1, x1: 3, y1: 2 });
  const masked = applyMask(rgb, mask);
  assert.equal(masked.data[0], 0);
  assert.equal(masked.data[7 * 3], rgb.data[7 * 3]);
  const crop = cropStack(rgb, { x0: 1, y0: 1, x1: 3, y1: 2 });
  assert.deepEqual(crop.shape, [2, 1, 2, 3]);
  assert.equal(crop.data, rgb.data); // a view: nothing copied
  assert.deepEqual([...rowMajorData(crop).subarray(0, 3)], [...rgb.data.subarray(21, 24)]);
  assert.deepEqual(squareBox({ x0: 1, y0: 1, x1: 3, y1: 2 }, 6, 4), { x0: 1, y0: 1, x1: 3, y1: 3 });
  const grey = toGrey(rgb);
  assert.deepEqual(grey.shape, [2, 4, 6]);
  assert.equal(grey.data.length, 48);
  assert.throws(() => cropStack(rgb, { x0: 0, y0: 0, x1: 7, y1: 2 }), /outside 6x4/);
});
