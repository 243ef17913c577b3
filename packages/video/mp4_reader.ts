/**
 * MP4/MOV: the container is parsed with `mp4box` (tracks, codec, frame count, rate, size — no decoding); frames
 * are decoded by the ffmpeg subprocess, since Deno has no WebCodecs.
 * @module
 */
import { createFile, MP4BoxBuffer } from "mp4box";
import { quoteHeaderText, thrownMessage, VideoError } from "./errors.ts";
import { checkVideoHeader } from "./limits.ts";
import { checkMp4Tables } from "./mp4_limits.ts";
import { lazyFfmpegFrames } from "./ffmpeg.ts";
import { makeVideo, type Video, type VideoInfo } from "./video.ts";

/** ISO-BMFF brands start with an `ftyp` box (or, in old QuickTime files, `moov`/`mdat`/`wide`/`free`). */
export function looksLikeMp4(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const type = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  return ["ftyp", "moov", "mdat", "wide", "free", "skip"].includes(type);
}

/** The first video track of an MP4/MOV, read without decoding. */
export interface Mp4TrackInfo {
  /** RFC 6381 codec string, e.g. "avc1.64001f", "hvc1…", "mp4v.20.9". */
  codec: string;
  /** Width in pixels (sample entry). */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Number of samples (frames). */
  frameCount: number;
  /** Average frames per second. */
  fps: number;
  /** Track duration in seconds. */
  durationS: number;
}

/** Parses the MP4 container and returns its first video track. Throws a {@link VideoError} otherwise. */
export function probeMp4(bytes: Uint8Array, file: string): Mp4TrackInfo {
  checkMp4Tables(bytes, file);
  const iso = createFile();
  let error: string | undefined;
  iso.onError = (module: string, message: string) => {
    error = `${module}: ${message}`;
  };
  const buffer = MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0);
  try {
    iso.appendBuffer(buffer);
    iso.flush();
  } catch (cause) {
    throw new VideoError(file, "corrupt", `MP4 container: ${thrownMessage(cause)}`);
  }
  const info = iso.getInfo();
  const track = info?.videoTracks?.[0];
  if (!track) {
    throw new VideoError(
      file,
      error ? "corrupt" : "truncated",
      error ?? "no video track (missing or truncated moov)",
    );
  }
  const durationS = track.timescale > 0 ? (track.samples_duration || track.duration) / track.timescale : 0;
  const fps = durationS > 0 ? track.nb_samples / durationS : 0;
  const width = track.video?.width ?? track.track_width;
  const height = track.video?.height ?? track.track_height;
  checkVideoHeader(file, {
    width,
    height,
    frameCount: track.nb_samples,
    fps,
    fields: {
      width: "sample entry width",
      height: "sample entry height",
      frameCount: "stsz sample_count",
      fps: `mdhd duration ${track.samples_duration || track.duration} / timescale ${track.timescale}`,
    },
    fileBytes: bytes.length,
  });
  return {
    codec: quoteHeaderText(String(track.codec), 64),
    width,
    height,
    frameCount: track.nb_samples,
    fps,
    durationS,
  };
}

/** Options for {@link openMp4}. */
export interface Mp4OpenOptions {
  /** Output channels (default 3: MP4 echo conversions store grey as colour). */
  channels?: 1 | 3;
  /** Path of the file, passed to ffmpeg instead of piping the bytes. */
  path?: string;
  /** ffmpeg binary (default: `$FFMPEG_PATH`, else PATH). */
  ffmpegPath?: string;
}

/** Opens an MP4/MOV: container facts from mp4box, frames from ffmpeg (decoded on first access). */
export function openMp4(bytes: Uint8Array, file: string, options: Mp4OpenOptions = {}): Video {
  const track = probeMp4(bytes, file);
  const channels = options.channels ?? 3;
  const info: VideoInfo = {
    file,
    format: "mp4",
    codec: track.codec,
    frameCount: track.frameCount,
    width: track.width,
    height: track.height,
    channels,
    fps: track.fps,
    durationS: track.durationS,
  };
  // ffmpeg decodes the whole stream once, when the first frame is asked for; metadata alone never spawns it.
  const decode = lazyFfmpegFrames(options.path ?? bytes, file, {
    channels,
    width: track.width,
    height: track.height,
    frameCount: track.frameCount,
    binary: options.ffmpegPath,
  });
  return makeVideo(info, decode);
}
