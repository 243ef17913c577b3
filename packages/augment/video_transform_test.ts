import assert from "node:assert/strict";
import { IMAGENET_MEAN, IMAGENET_STD } from "./normalize.ts";
import { type Clip, makeClip, Random, rowMajorData } from "@echojepa/core";
import { evalTransform, trainTransform, VJEPA_TRAIN_OPTIONS } from "./video_transform.ts";

function rampClip(frames: number, height: number, width: number, channels = 1): Clip<Uint8Array> {
  const data = new Uint8Array(frames * height * width * channels);
  for (let t = 0; t < frames; t++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          data[((t * height + y) * width + x) * channels + c] = (x + 2 * y + 7 * t + 50 * c) % 256;
        }
      }
    }
  }
  return makeClip(data, [frames, height, width, channels]);
}

Deno.test("trainTransform: shape, ImageNet normalisation of a constant grey clip", () => {
  const clip = makeClip(new Uint8Array(2 * 24 * 32).fill(128), [2, 24, 32]);
  const out = trainTransform(clip, Random.from(3), { cropSize: 16 });
  assert.deepEqual(out.shape, [3, 2, 16, 16]);
  const plane = 2 * 16 * 16;
  for (let c = 0; c < 3; c++) {
    const expected = (128 - 255 * IMAGENET_MEAN[c]) / (255 * IMAGENET_STD[c]);
    assert.ok(Math.abs(out.data[c * plane + 17] - expected) < 1e-5, `channel ${c}`);
  }
});

Deno.test("trainTransform: same seed → identical output; different seed → different crop", () => {
  const clip = rampClip(3, 40, 60);
  const a = trainTransform(clip, Random.from(11), { cropSize: 20 });
  const b = trainTransform(clip, Random.from(11), { cropSize: 20 });
  assert.deepEqual(a.crop, b.crop);
  assert.deepEqual(a.data, b.data);
  const crops = new Set(
    Array.from({ length: 8 }, (_, i) => JSON.stringify(trainTransform(clip, Random.from(i)).crop)),
  );
  assert.ok(crops.size > 1);
});

Deno.test("trainTransform: one crop for all frames (frame differences survive unchanged)", () => {
  // Frame t is frame 0 plus 7·t everywhere (no wrap below 256), so after a shared crop the planes differ by 7·t/std.
  const clip = rampClip(3, 30, 30);
  const out = trainTransform(clip, Random.from(5), {
    cropSize: 10,
    normalization: "none",
    outputChannels: 1,
  });
  for (let i = 0; i < 100; i++) {
    assert.ok(Math.abs(out.data[100 + i] - out.data[i] - 7) < 1e-4);
    assert.ok(Math.abs(out.data[200 + i] - out.data[i] - 14) < 1e-4);
  }
});

Deno.test("trainTransform: no flip by default; V-JEPA options flip about half of the clips", () => {
  const clip = rampClip(1, 20, 20);
  for (let i = 0; i < 50; i++) assert.equal(trainTransform(clip, Random.from(i)).flipped, false);
  let flips = 0;
  for (let i = 0; i < 400; i++) {
    if (trainTransform(clip, Random.from(i), VJEPA_TRAIN_OPTIONS).flipped) flips++;
  }
  assert.ok(flips > 150 && flips < 250, `flips ${flips}`);
});

Deno.test("trainTransform: a flipped clip is the mirror of the unflipped one with the same crop", () => {
  const clip = rampClip(1, 20, 20);
  let seed = 0;
  let flipped = trainTransform(clip, Random.from(seed), { ...VJEPA_TRAIN_OPTIONS, cropSize: 8 });
  while (!flipped.flipped) {
    flipped = trainTransform(clip, Random.from(++seed), { ...VJEPA_TRAIN_OPTIONS, cropSize: 8 });
  }
  // The crop is drawn before the flip, so the same seed without flipping gives the same crop, unmirrored.
  const straight = trainTransform(clip, Random.from(seed), {
    ...VJEPA_TRAIN_OPTIONS,
    cropSize: 8,
    horizontalFlipProbability: 0,
  });
  assert.deepEqual(straight.crop, flipped.crop);
  for (let y = 0; y < 8; y++) {
    const a = Array.from(straight.data.subarray(y * 8, y * 8 + 8));
    const b = Array.from(flipped.data.subarray(y * 8, y * 8 + 8)).reverse();
    assert.deepEqual(a, b);
  }
});

Deno.test("trainTransform: RGB input keeps channels; colour → 1 channel averages them", () => {
  const clip = rampClip(1, 16, 16, 3);
  const rgb = trainTransform(clip, Random.from(1), { cropSize: 8, normalization: "none" });
  const grey = trainTransform(clip, Random.from(1), {
    cropSize: 8,
    normalization: "none",
    outputChannels: 1,
  });
  assert.deepEqual(grey.shape, [1, 1, 8, 8]);
  for (let i = 0; i < 64; i++) {
    const mean = (rgb.data[i] + rgb.data[64 + i] + rgb.data[128 + i]) / 3;
    assert.ok(Math.abs(grey.data[i] - mean) < 1e-4);
  }
});

Deno.test("trainTransform: per-clip normalisation gives zero mean, unit variance per channel", () => {
  const out = trainTransform(rampClip(2, 30, 40), Random.from(2), {
    cropSize: 12,
    normalization: "per-clip",
  });
  const n = 2 * 12 * 12;
  for (let c = 0; c < 3; c++) {
    const plane = out.data.subarray(c * n, (c + 1) * n);
    const mean = plane.reduce((s, v) => s + v, 0) / n;
    const variance = plane.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    assert.ok(Math.abs(mean) < 1e-4 && Math.abs(variance - 1) < 1e-3);
  }
});

Deno.test("trainTransform: valueScale brings 0–1 floats to the 0–255 scale", () => {
  const bytes = rampClip(1, 10, 10);
  const floats = makeClip(Float32Array.from(bytes.data, (v) => v / 255), bytes.shape);
  const a = trainTransform(bytes, Random.from(9), { cropSize: 5 });
  const b = trainTransform(floats, Random.from(9), { cropSize: 5, valueScale: 255 });
  for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-4);
});

Deno.test("evalTransform: identity geometry when the frame already has the resized size", () => {
  // 128×128 at crop 112: short side 128 (no resize), centre 112×112 window from offset 8.
  const clip = rampClip(1, 128, 128);
  const out = evalTransform(clip, { cropSize: 112, normalization: "none", outputChannels: 1 });
  assert.deepEqual(out.shape, [1, 1, 112, 112]);
  for (const [y, x] of [[0, 0], [5, 100], [111, 111]]) {
    assert.equal(out.data[y * 112 + x], clip.data[(y + 8) * 128 + (x + 8)]);
  }
});

Deno.test("evalTransform: deterministic, 320×240 → [3, T, 224, 224]", () => {
  const clip = rampClip(2, 240, 320);
  const a = evalTransform(clip);
  assert.deepEqual(a.shape, [3, 2, 224, 224]);
  assert.deepEqual(a.data, evalTransform(clip).data);
});

Deno.test("transforms name the bad argument", () => {
  const clip = rampClip(1, 10, 10);
  assert.throws(() => trainTransform(clip, Random.from(0), { cropSize: 0 }), /trainTransform: cropSize/);
  assert.throws(
    () => trainTransform(clip.pick(0, 0), Random.from(0)), // one row, rank 2: no clip
    /trainTransform: clip shape/,
  );
  assert.throws(() => evalTransform(rampClip(1, 4, 4, 2)), /1, 3 or 4 channels/);
});

Deno.test("trainTransform: writes into a caller's buffer when given", () => {
  const clip = rampClip(2, 20, 20);
  const out = new Float32Array(3 * 2 * 8 * 8);
  const a = trainTransform(clip, Random.from(1), { cropSize: 8, out });
  assert.equal(a.data, out);
  assert.deepEqual(
    Array.from(a.data),
    Array.from(trainTransform(clip, Random.from(1), { cropSize: 8 }).data),
  );
  assert.throws(
    () => trainTransform(clip, Random.from(1), { cropSize: 8, out: new Float32Array(5) }),
    /needs 384/,
  );
});

Deno.test("trainTransform/evalTransform read views (crops, frame ranges, flips, planar RGB) as their copies", () => {
  const clip = rampClip(5, 30, 40, 3);
  const views: Clip<Uint8Array>[] = [
    clip.lo(1, 3, 5).hi(3, 20, 28), // frames 1–3, a 20×28 crop
    clip.step(1, 1, -1), // mirrored columns (a negative stride)
    // The same samples stored channels-first, seen channel-last through a transposed view.
    makeClip(planar(clip), [3, 5, 30, 40]).transpose(1, 2, 3, 0),
  ];
  for (const view of views) {
    const copy = makeClip(rowMajorData(view), view.shape);
    assert.notEqual(copy.data.buffer, clip.data.buffer);
    const a = trainTransform(view, Random.from(9), { cropSize: 12 });
    const b = trainTransform(copy, Random.from(9), { cropSize: 12 });
    assert.deepEqual(a.data, b.data);
    assert.deepEqual(evalTransform(view, { cropSize: 12 }).data, evalTransform(copy, { cropSize: 12 }).data);
    const grey = view.pick(null, null, null, 1);
    const greyCopy = makeClip(rowMajorData(grey), grey.shape);
    assert.deepEqual(
      evalTransform(grey, { cropSize: 12 }).data,
      evalTransform(greyCopy, { cropSize: 12 }).data,
    );
  }
});

/** A `[T, H, W, C]` clip's samples reordered to `[C, T, H, W]`. */
function planar(clip: Clip<Uint8Array>): Uint8Array {
  const [t, h, w, c] = clip.shape;
  const out = new Uint8Array(clip.data.length);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < t * h * w; i++) out[k * t * h * w + i] = clip.data[i * c + k];
  }
  return out;
}
