/**
 * The one video type every reader returns: metadata plus lazy frame access, so a long cine is never decoded
 * whole when a clip needs only 16 of its frames.
 * @module
 */
import { type Clip, makeClip } from "@echojepa/core";
import { asVideoError, VideoError } from "./errors.ts";
import { checkDecodeBudget, checkVideoHeader } from "./limits.ts";

/** Container family a video was read from. */
export type VideoFormat = "dicom" | "avi" | "mp4";

/** A rectangle in pixel coordinates: x0/y0 inclusive, x1/y1 exclusive. */
export interface PixelRegion {
  /** Left column (inclusive). */
  x0: number;
  /** Top row (inclusive). */
  y0: number;
  /** Right column (exclusive). */
  x1: number;
  /** Bottom row (exclusive). */
  y1: number;
}

/** Physical size of one pixel, in centimetres. */
export interface PixelSpacing {
  /** Width of a pixel (cm). Always positive (some scanners write a negative delta). */
  xCm: number;
  /** Height of a pixel (cm). */
  yCm: number;
}

/** Everything known about a video without decoding its frames. */
export interface VideoInfo {
  /** Path or label of the source file. */
  file: string;
  /** Container family. */
  format: VideoFormat;
  /** Codec or transfer syntax, e.g. "jpeg-baseline", "MJPG", "h264". */
  codec: string;
  /** Number of frames. */
  frameCount: number;
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** 1 for grey frames `[H, W]`, 3 for RGB frames `[H, W, 3]`. */
  channels: 1 | 3;
  /** Average frames per second (from frame times when they vary). */
  fps: number;
  /** Duration in seconds. */
  durationS: number;
  /** Per-frame display durations in ms, only when the file gives variable ones. */
  frameTimesMs?: number[];
  /** Pixel spacing when the file states it (DICOM ultrasound regions). */
  spacing?: PixelSpacing;
  /** The tissue (B-mode) region when the file states it. */
  tissueRegion?: PixelRegion;
}

/** A readable video: metadata plus lazy, per-frame decoding. */
export interface Video extends VideoInfo {
  /** Decodes one frame (`H*W*channels` bytes). Throws a {@link VideoError} naming the frame on failure. */
  readFrame(index: number): Promise<Uint8Array>;
  /**
   * Decodes the given frames (repeats allowed, decoded once) into one clip: `[T, H, W]` uint8 for grey frames,
   * `[T, H, W, 3]` for RGB (`@echojepa/core`'s `Clip`).
   */
  readFrames(indices: readonly number[]): Promise<Clip<Uint8Array>>;
  /** Decodes every frame. */
  readAll(): Promise<Clip<Uint8Array>>;
  /** Releases resources held by the reader (subprocesses, buffers). Safe to call twice. */
  close(): void;
}

/**
 * Decodes one frame; may be synchronous. An optional `prefetch(maxIndex)` is awaited before a batch read, for
 * decoders that work on whole streams (ffmpeg) and can stop after the last frame a batch needs.
 */
export type FrameDecoder = ((index: number) => Uint8Array | Promise<Uint8Array>) & {
  prefetch?: (maxIndex: number) => Promise<void>;
};

/**
 * Builds a {@link Video} from metadata and a per-frame decoder: adds bounds checks, error wrapping (file and frame
 * in every error), duplicate-free batch reads and size checks of what the decoder returns. The metadata must lie
 * within `VIDEO_LIMITS` (readers check it first, naming their header fields); a batch read is refused before
 * allocation when it would pass the decoded-bytes budget.
 */
export function makeVideo(info: VideoInfo, decode: FrameDecoder, onClose: () => void = () => {}): Video {
  checkVideoHeader(info.file, {
    width: info.width,
    height: info.height,
    frameCount: info.frameCount,
    fps: info.fps,
    fields: { width: "width", height: "height", frameCount: "frame count", fps: "fps" },
    fileBytes: Infinity,
  });
  const frameBytes = info.width * info.height * info.channels;
  let closed = false;
  const readFrame = async (index: number): Promise<Uint8Array> => {
    if (closed) throw new VideoError(info.file, "invalid-argument", "video is closed");
    if (!Number.isInteger(index) || index < 0 || index >= info.frameCount) {
      throw new VideoError(
        info.file,
        "invalid-argument",
        `frame index ${index} outside 0..${info.frameCount - 1}`,
      );
    }
    let pixels: Uint8Array;
    try {
      pixels = await decode(index);
    } catch (error) {
      throw asVideoError(info.file, error, index);
    }
    if (pixels.length !== frameBytes) {
      throw new VideoError(
        info.file,
        "corrupt",
        `decoded ${pixels.length} bytes, expected ${frameBytes} (${info.width}x${info.height}x${info.channels})`,
        { frame: index },
      );
    }
    return pixels;
  };
  const readFrames = async (indices: readonly number[]): Promise<Clip<Uint8Array>> => {
    checkDecodeBudget(info.file, indices.length, frameBytes);
    const data = new Uint8Array(indices.length * frameBytes);
    if (decode.prefetch && indices.length > 0 && !closed) {
      const last = Math.max(...indices);
      if (last < info.frameCount) {
        try {
          await decode.prefetch(last);
        } catch (error) {
          throw asVideoError(info.file, error);
        }
      }
    }
    const decoded = new Map<number, Uint8Array>();
    for (let t = 0; t < indices.length; t++) {
      const index = indices[t];
      let pixels = decoded.get(index);
      if (!pixels) {
        pixels = await readFrame(index);
        decoded.set(index, pixels);
      }
      data.set(pixels, t * frameBytes);
    }
    const { height, width, channels } = info;
    return makeClip(
      data,
      channels === 1 ? [indices.length, height, width] : [indices.length, height, width, channels],
    );
  };
  return {
    ...info,
    readFrame,
    readFrames,
    readAll: () => readFrames(Array.from({ length: info.frameCount }, (_, i) => i)),
    close: () => {
      if (closed) return;
      closed = true;
      onClose();
    },
  };
}
