import assert from "node:assert/strict";
import {
  FrameRateTooLowError,
  frameStepForFps,
  sampleClipByTime,
  sampleClipIndices,
  sampleMultiClipIndices,
} from "./clip_sampling.ts";
import { Random } from "@echojepa/core";

Deno.test("frameStepForFps follows ceil(fps) // target (spec §5.6 examples)", () => {
  assert.equal(frameStepForFps(30, 24), 1);
  assert.equal(frameStepForFps(30, 8), 3);
  assert.equal(frameStepForFps(30, 4), 7);
  assert.equal(frameStepForFps(29.97, 8), 3); // ceil(29.97) = 30
  // FrameTime 33.333 ms is 30 fps, not ceil(30.0003) = 31: a 31 fps target is too fast for it.
  assert.equal(frameStepForFps(1000 / 33.333, 30), 1);
  assert.throws(() => frameStepForFps(1000 / 33.333, 31), FrameRateTooLowError);
  assert.equal(frameStepForFps(50, 8), 6);
  assert.throws(() => frameStepForFps(20, 24), FrameRateTooLowError);
  assert.throws(() => frameStepForFps(20, 24), /below the requested 24 fps/);
});

Deno.test("sampleClipIndices: long video, fixed end reproduces numpy linspace", () => {
  // L = 100, step 3, clip_len 48, end 60 → linspace(12, 60, 16) = 12, 15.2, 18.4, … 60 → floor, clip to 59.
  const indices = sampleClipIndices(100, { frameStep: 3, end: 60 });
  assert.deepEqual(indices, [12, 15, 18, 21, 24, 28, 31, 34, 37, 40, 44, 47, 50, 53, 56, 59]);
});

Deno.test("sampleClipIndices: random end stays inside [clip_len, L)", () => {
  const random = new Random(7).source();
  for (let trial = 0; trial < 200; trial++) {
    const indices = sampleClipIndices(60, { frameStep: 2, random });
    assert.equal(indices.length, 16);
    assert.ok(indices[0] >= 0 && indices[15] <= 59);
    const span = indices[15] - indices[0];
    assert.ok(span >= 29 && span <= 31, `span ${span}`);
    for (let i = 1; i < 16; i++) assert.ok(indices[i] >= indices[i - 1]);
  }
});

Deno.test("sampleClipIndices: short video pads with the last frame; a still repeats frame 0", () => {
  // L = 20, step 3: linspace(0, 20, 6) = 0, 4, 8, 12, 16, 20 → clipped 19, then 10 pads of 19.
  assert.deepEqual(sampleClipIndices(20, { frameStep: 3 }), [0, 4, 8, 12, 16, 19, ...Array(10).fill(19)]);
  assert.deepEqual(sampleClipIndices(1, { frameStep: 1 }), Array(16).fill(0));
  // L == clip_len goes to the short branch: linspace(0, 16, 16) floors to 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  // 12, 13, 14, 16 and the last is clipped to 15.
  assert.deepEqual(sampleClipIndices(16, { frameStep: 1 }), [...Array(15).keys(), 15]);
});

Deno.test("sampleMultiClipIndices: C clips from C consecutive parts", () => {
  const clips = sampleMultiClipIndices(100, { clips: 2, frameStep: 1 });
  assert.equal(clips.length, 2);
  assert.deepEqual(clips[0], [...Array(16).keys()].map((i) => i));
  assert.deepEqual(clips[1], [...Array(16).keys()].map((i) => i + 50));
});

Deno.test("sampleClipByTime uses per-frame times", () => {
  // Frames alternate 20 ms and 40 ms: starts 0, 20, 60, 80, 120, 140, …
  const frameTimesMs = Array.from({ length: 30 }, (_, i) => (i % 2 ? 40 : 20));
  const indices = sampleClipByTime({ frameCount: 30, fps: 33.3, frameTimesMs }, {
    targetFps: 50,
    framesPerClip: 4,
    startS: 0,
  });
  // Times 0, 20, 40, 60 ms → frames 0, 1, 1, 2.
  assert.deepEqual(indices, [0, 1, 1, 2]);
  const uniform = sampleClipByTime({ frameCount: 10, fps: 10 }, {
    targetFps: 20,
    framesPerClip: 8,
    startS: 0.5,
  });
  assert.deepEqual(uniform, [5, 5, 6, 6, 7, 7, 8, 8]);
});
