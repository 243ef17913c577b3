/**
 * One entry point for every format: reads a file (or takes bytes), sniffs the container from its first bytes
 * (DICOM "DICM", RIFF/AVI, ISO-BMFF "ftyp"), and returns a {@link Video}. Every failure is a {@link VideoError}.
 * @module
 */
import { asVideoError, VideoError } from "./errors.ts";
import { isMjpegCodec, looksLikeAvi, openAvi, parseAviLayout } from "./avi_reader.ts";
import { looksLikeDicom, openDicom, rawDicomSyntax } from "./dicom_reader.ts";
import { looksLikeMp4, openMp4 } from "./mp4_reader.ts";
import { hasWebCodecs, openMp4WebCodecs } from "./mp4_webcodecs.ts";
import { makeVideo, type Video, type VideoInfo } from "./video.ts";
import { lazyFfmpegFrames } from "./ffmpeg.ts";

/** Options for {@link openVideo}. */
export interface OpenVideoOptions {
  /** Output channels: 1 grey, 3 RGB; default: what the source holds (grey for MONOCHROME / grey MJPEG). */
  channels?: 1 | 3;
  /** Label used in errors and {@link Video.file} instead of the path (e.g. a de-identified name). */
  label?: string;
  /** ffmpeg binary for codecs decoded through ffmpeg (default: `$FFMPEG_PATH`, else `ffmpeg` on PATH). */
  ffmpegPath?: string;
  /**
   * Who decodes MP4 frames: ffmpeg (a subprocess; Deno) or WebCodecs (browsers; grey frames). Default: WebCodecs
   * where the runtime has it and cannot start processes, else ffmpeg.
   */
  mp4Decoder?: "ffmpeg" | "webcodecs";
}

/** The Deno namespace when this code runs in Deno; undefined in browsers. */
function denoRuntime(): typeof Deno | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno;
}

/** Which container the bytes hold, from magic numbers; undefined when unknown. */
export function sniffFormat(bytes: Uint8Array): "dicom" | "avi" | "mp4" | undefined {
  if (looksLikeDicom(bytes)) return "dicom";
  if (looksLikeAvi(bytes)) return "avi";
  if (looksLikeMp4(bytes)) return "mp4";
  if (rawDicomSyntax(bytes)) return "dicom"; // a bare dataset without the Part 10 preamble
  return undefined;
}

/**
 * Reads a file's metadata (container, codec, frames, size, rate, spacing) without decoding any frame.
 */
export async function probeVideo(
  source: string | Uint8Array,
  options: OpenVideoOptions = {},
): Promise<VideoInfo> {
  const video = await openVideo(source, options);
  video.close();
  const { readFrame: _r, readFrames: _rs, readAll: _ra, close: _c, ...info } = video;
  return info;
}

/**
 * Opens a video file (path) or in-memory bytes. DICOM, MJPEG/DIB AVI are decoded in TypeScript; MP4 and other
 * AVI codecs go through ffmpeg (a "missing-tool" {@link VideoError} when it is not installed).
 * @example
 * ```ts
 * import { openVideo } from "@echojepa/video";
 * const video = await openVideo("../shared/samples/derived_a4c_112x112_mjpeg_30fps.avi");
 * const first = await video.readFrame(0); // Uint8Array, 112*112 grey bytes
 * video.close();
 * ```
 */
export async function openVideo(source: string | Uint8Array, options: OpenVideoOptions = {}): Promise<Video> {
  const file = options.label ?? (typeof source === "string" ? source : "<bytes>");
  let bytes: Uint8Array;
  if (typeof source === "string") {
    const deno = denoRuntime();
    if (!deno) {
      throw new VideoError(
        file,
        "invalid-argument",
        "reading a path needs Deno; in a browser pass the file's bytes",
      );
    }
    try {
      bytes = await deno.readFile(source);
    } catch (error) {
      throw new VideoError(file, "io", `cannot read file: ${(error as Error).message}`, { cause: error });
    }
  } else bytes = source;
  try {
    const format = sniffFormat(bytes);
    if (format === "dicom") {
      return openDicom(bytes, file, { channels: options.channels, ffmpegPath: options.ffmpegPath });
    }
    if (format === "avi") {
      const layout = parseAviLayout(bytes, file);
      if (isMjpegCodec(layout.codec) || layout.codec === "DIB") {
        return openAvi(bytes, file, { channels: options.channels });
      }
      // Other codecs (MPEG-4 Part 2, H.264 …): ffmpeg decodes on the first frame request.
      const channels = options.channels ?? 3;
      const decode = lazyFfmpegFrames(typeof source === "string" ? source : bytes, file, {
        channels,
        width: layout.width,
        height: layout.height,
        frameCount: layout.chunks.length,
        binary: options.ffmpegPath,
      });
      return makeVideo(
        {
          file,
          format: "avi",
          codec: layout.codec,
          frameCount: layout.chunks.length,
          width: layout.width,
          height: layout.height,
          channels,
          fps: layout.fps,
          durationS: layout.chunks.length / layout.fps,
        },
        decode,
      );
    }
    if (format === "mp4") {
      const decoder = options.mp4Decoder ?? (!denoRuntime() && hasWebCodecs() ? "webcodecs" : "ffmpeg");
      if (decoder === "webcodecs") return openMp4WebCodecs(bytes, file);
      return openMp4(bytes, file, {
        channels: options.channels,
        path: typeof source === "string" ? source : undefined,
        ffmpegPath: options.ffmpegPath,
      });
    }
    throw new VideoError(file, "unsupported", "unknown container (not DICOM Part 10, AVI or MP4/MOV)");
  } catch (error) {
    throw asVideoError(file, error);
  }
}
