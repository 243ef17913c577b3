/**
 * Model inputs of an evaluation clip that holds `segments` windows one after the other: the evaluation transform
 * of each window. The Deno tools and the browser page both turn clips into encoder inputs with this.
 * @module
 */
import { type Clip, clipDims } from "@echojepa/core";
import { evalTransform } from "./video_transform.ts";

/** What {@link segmentInputs} needs to know about the clip layout and the model input. */
export interface SegmentInputSettings {
  /** Windows in the clip. */
  segments: number;
  /** Frames per window. */
  frames: number;
  /** Square model input side in pixels. */
  resolution: number;
}

/**
 * One float32 `[3, frames, res, res]` input per window of a `[segments·frames, H, W(, C)]` clip.
 *
 * @example
 * ```ts
 * import { segmentInputs } from "@echojepa/augment";
 * import { makeClip } from "@echojepa/core";
 * const clip = makeClip(new Uint8Array(16 * 64 * 64).fill(90), [16, 64, 64]);
 * const inputs = segmentInputs(clip, { segments: 2, frames: 8, resolution: 32 });
 * console.log(inputs.length, inputs[0].length); // 2 24576
 * ```
 */
export function segmentInputs(clip: Clip, s: SegmentInputSettings): Float32Array[] {
  const t = clipDims(clip, "segmentInputs").frames;
  if (t !== s.segments * s.frames) {
    throw new RangeError(`segmentInputs: clip has ${t} frames, expected ${s.segments}×${s.frames}`);
  }
  // Each window is a view of its frames: nothing is copied before the transform reads it.
  return Array.from({ length: s.segments }, (_, k) => {
    const window = clip.lo(k * s.frames).hi(s.frames);
    return evalTransform(window, { cropSize: s.resolution }).data;
  });
}
