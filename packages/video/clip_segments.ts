/**
 * The evaluation clip of a video: `segments` temporal windows of `frames` frames, one at the centre of each equal
 * part of the video (the reference's `num_segments` partitioning, at a fixed place so predictions are
 * reproducible), sector-masked and cropped, grey. The Deno tools and the browser page both cut clips with this.
 * @module
 */
import { type Clip, clipDims, makeClip, rowMajorData } from "@echojepa/core";
import { clipFromVideo } from "./clip_loader.ts";
import { frameStepForFps } from "./clip_sampling.ts";
import type { Video } from "./video.ts";

/** How clips are cut from a video and fed to the encoder. */
export interface ClipSettings {
  /** Frames per clip (a multiple of the encoder's tubelet size). */
  frames: number;
  /** Target clip rate: frame step = ⌊⌈fps of file⌉ / fps⌋ (reference semantics, see frameStepForFps); null: use `frameStep`. */
  fps: number | null;
  /** Raw frames between sampled frames when `fps` is null. */
  frameStep: number;
  /** Temporal windows per video; their tokens are concatenated (reference `num_segments`). */
  segments: number;
  /** Square model input side in pixels (short side resized to ⌊res·256/224⌋, centre crop). */
  resolution: number;
  /** Mask the ultrasound sector and crop a square around it before the transform (off for pre-cropped files). */
  sector: boolean;
}

/** A grey clip `[segments·frames, H, W]` and the source frame of each of its frames. */
export interface SegmentClip {
  /** The windows one after the other, `[segments·frames, H, W]` uint8. */
  clip: Clip<Uint8Array>;
  /** Source frame index of every clip frame. */
  indices: number[];
}

/**
 * Decodes the `segments` evaluation windows of an open video as one grey clip (see the module documentation).
 *
 * @example
 * ```ts
 * import { openVideo, readClipSegments, writeAvi } from "@echojepa/video";
 * const frames = Array.from({ length: 40 }, (_, t) => new Uint8Array(64 * 64).fill(5 * t));
 * const video = await openVideo(writeAvi(frames, { width: 64, height: 64, channels: 1, fps: 30 }));
 * const { clip } = await readClipSegments(video, {
 *   frames: 8, fps: 15, frameStep: 1, segments: 2, resolution: 32, sector: false,
 * });
 * console.log(clip.shape); // [16, 64, 64]
 * ```
 */
export async function readClipSegments(video: Video, s: ClipSettings): Promise<SegmentClip> {
  const step = s.fps !== null ? frameStepForFps(video.fps, s.fps) : s.frameStep;
  const clipLength = s.frames * step;
  const part = Math.floor(video.frameCount / s.segments);
  const parts: Uint8Array[] = [];
  const indices: number[] = [];
  let height = 0;
  let width = 0;
  for (let k = 0; k < s.segments; k++) {
    // Centre of part k (the sampler clamps `end` into the video; short videos are spread and padded).
    const end = k * part + Math.floor((Math.max(part, clipLength) + clipLength) / 2);
    const { clip, indices: used } = await clipFromVideo(video, {
      framesPerClip: s.frames,
      // The one place the step is chosen (frameStepForFps, with its 0.01 fps rounding, or the fixed step).
      frameStep: step,
      end,
      channels: 1,
      maskSector: s.sector,
      cropToSector: s.sector,
    });
    const dims = clipDims(clip, "readClipSegments");
    if (k > 0 && (dims.height !== height || dims.width !== width)) {
      throw new Error(
        `segments decoded at different sizes (${height}×${width}, ${dims.height}×${dims.width})`,
      );
    }
    height = dims.height;
    width = dims.width;
    parts.push(rowMajorData(clip));
    indices.push(...used);
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
  return { clip: makeClip(data, [s.segments * s.frames, height, width]), indices };
}
