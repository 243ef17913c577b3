/**
 * Model inputs of an evaluation clip that holds `segments` windows one after the other: the evaluation transform
 * of each window. The Deno tools and the browser page both turn clips into encoder inputs with this.
 * @module
 */
import type { ClipArray } from "./clip.ts";
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
 * const clip = { data: new Uint8Array(16 * 64 * 64).fill(90), shape: [16, 64, 64] as const };
 * const inputs = segmentInputs(clip, { segments: 2, frames: 8, resolution: 32 });
 * console.log(inputs.length, inputs[0].length); // 2 24576
 * ```
 */
export function segmentInputs(clip: ClipArray, s: SegmentInputSettings): Float32Array[] {
  const [t, h, w] = clip.shape;
  const c = clip.shape.length === 4 ? clip.shape[3] : 1;
  if (t !== s.segments * s.frames) {
    throw new RangeError(`segmentInputs: clip has ${t} frames, expected ${s.segments}×${s.frames}`);
  }
  const per = s.frames * h * w * c;
  return Array.from({ length: s.segments }, (_, k) => {
    const data = clip.data.subarray(k * per, (k + 1) * per);
    const shape = c === 1 ? [s.frames, h, w] as const : [s.frames, h, w, c] as const;
    return evalTransform({ data, shape }, { cropSize: s.resolution }).data;
  });
}
