/**
 * A synthetic echo-like clip for benchmarks: a bright fan with speckle-like texture on a black background.
 *
 * @module
 */

import { type Clip, makeClip, Random } from "@echojepa/core";

/** `[T, H, W]` (channels 1) or `[T, H, W, 3]` uint8 clip with a fan of textured tissue. */
export function syntheticEchoClip(
  frames: number,
  height: number,
  width: number,
  channels: 1 | 3,
  seed = 0,
): Clip<Uint8Array> {
  const rng = Random.from(seed);
  const data = new Uint8Array(frames * height * width * channels);
  for (let t = 0; t < frames; t++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x - width / 2;
        const inFan = y > 0 && Math.abs(Math.atan2(dx, y)) < 0.65 && Math.hypot(dx, y) < height;
        const v = inFan ? Math.min(255, Math.floor(rng.next() * 160 + 20)) : 0;
        const base = ((t * height + y) * width + x) * channels;
        for (let c = 0; c < channels; c++) data[base + c] = v;
      }
    }
  }
  return makeClip(data, channels === 1 ? [frames, height, width] : [frames, height, width, 3]);
}
