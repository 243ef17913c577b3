/**
 * MP4/MOV in browsers: the container is demuxed with `mp4box` and the frames are decoded by WebCodecs'
 * `VideoDecoder` (no ffmpeg there). Frames come out grey, from the decoder's luma plane with the same range
 * expansion as ffmpeg's YUV → RGB conversion (`⌊(Y − 16)·255/219⌋` for limited-range video), so a grey echo
 * MP4 gives the same grey frames here as through ffmpeg in Deno; for colour video the two differ by at most the
 * rounding of the luma weights.
 * @module
 */
import { createFile, DataStream, Endianness, MP4BoxBuffer, type Sample } from "mp4box";
import { VideoError } from "./errors.ts";
import { probeMp4 } from "./mp4_reader.ts";
import { makeVideo, type Video } from "./video.ts";

// The part of WebCodecs used here (Deno's library types do not declare WebCodecs).
interface PlaneLayout {
  offset: number;
  stride: number;
}
interface DecodedFrame {
  readonly format: string | null;
  readonly timestamp: number;
  readonly displayWidth: number;
  readonly displayHeight: number;
  readonly visibleRect: { width: number; height: number } | null;
  readonly colorSpace: { fullRange: boolean | null } | null;
  allocationSize(): number;
  copyTo(destination: Uint8Array): Promise<PlaneLayout[]>;
  close(): void;
}
interface DecoderConfig {
  codec: string;
  codedWidth: number;
  codedHeight: number;
  description?: Uint8Array;
}
interface Decoder {
  configure(config: DecoderConfig): void;
  decode(chunk: unknown): void;
  flush(): Promise<void>;
  close(): void;
}
interface WebCodecs {
  VideoDecoder: {
    new (init: { output: (frame: DecodedFrame) => void; error: (e: Error) => void }): Decoder;
    isConfigSupported(config: DecoderConfig): Promise<{ supported?: boolean }>;
  };
  EncodedVideoChunk: new (init: {
    type: "key" | "delta";
    timestamp: number;
    duration: number;
    data: Uint8Array;
  }) => unknown;
}

/** True when this runtime has WebCodecs' `VideoDecoder` (browsers; not Deno). */
export function hasWebCodecs(): boolean {
  return typeof (globalThis as { VideoDecoder?: unknown }).VideoDecoder === "function";
}

interface Demuxed {
  codec: string;
  description: Uint8Array | undefined;
  width: number;
  height: number;
  samples: Sample[];
}

/** The codec configuration box of a sample entry, without its 8-byte box header (WebCodecs' `description`). */
function codecDescription(entry: Record<string, unknown>): Uint8Array | undefined {
  for (const name of ["avcC", "hvcC", "vpcC", "av1C"]) {
    const box = entry[name] as { write(stream: DataStream): void } | undefined;
    if (!box) continue;
    const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
    box.write(stream);
    return new Uint8Array(stream.buffer as ArrayBuffer, 8);
  }
  return undefined;
}

function demux(bytes: Uint8Array, file: string): Demuxed {
  const iso = createFile();
  const samples: Sample[] = [];
  let found: Omit<Demuxed, "samples"> | undefined;
  iso.onReady = (info) => {
    const track = info.videoTracks[0];
    if (!track) return;
    const entry = iso.getTrackById(track.id).mdia.minf.stbl.stsd.entries[0] as unknown as Record<
      string,
      unknown
    >;
    found = {
      codec: track.codec,
      description: codecDescription(entry),
      width: track.video?.width ?? track.track_width,
      height: track.video?.height ?? track.track_height,
    };
    iso.setExtractionOptions(track.id, undefined, { nbSamples: track.nb_samples });
    iso.start();
  };
  iso.onSamples = (_id, _user, batch) => void samples.push(...batch);
  try {
    iso.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
    iso.flush();
  } catch (cause) {
    throw new VideoError(file, "corrupt", `MP4 container: ${(cause as Error).message ?? cause}`, { cause });
  }
  if (!found) throw new VideoError(file, "truncated", "no video track (missing or truncated moov)");
  return { ...found, samples };
}

/** Grey bytes of a decoded frame: its luma plane, range-expanded as ffmpeg does for limited-range video. */
async function greyFrame(frame: DecodedFrame, file: string): Promise<Uint8Array> {
  if (!frame.format || !["I420", "I420A", "I422", "I444", "NV12"].includes(frame.format)) {
    throw new VideoError(file, "unsupported", `the browser decoded to ${frame.format}, not a YUV layout`);
  }
  const { width, height } = frame.visibleRect ?? { width: frame.displayWidth, height: frame.displayHeight };
  const buffer = new Uint8Array(frame.allocationSize());
  const [luma] = await frame.copyTo(buffer);
  const full = frame.colorSpace?.fullRange === true;
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = luma.offset + y * luma.stride;
    for (let x = 0; x < width; x++) {
      const v = buffer[row + x];
      grey[y * width + x] = full ? v : Math.min(255, Math.max(0, Math.floor(((v - 16) * 255) / 219)));
    }
  }
  return grey;
}

/** Decodes every sample of the track, in presentation order. */
async function decodeAll(d: Demuxed, file: string): Promise<Uint8Array[]> {
  const pending: Promise<{ timestamp: number; grey: Uint8Array }>[] = [];
  let failure: Error | undefined;
  const { VideoDecoder, EncodedVideoChunk } = globalThis as unknown as WebCodecs;
  const decoder = new VideoDecoder({
    output: (frame) => {
      const timestamp = frame.timestamp;
      pending.push(greyFrame(frame, file).then((grey) => ({ timestamp, grey })).finally(() => frame.close()));
    },
    error: (e) => void (failure = e),
  });
  const config: DecoderConfig = { codec: d.codec, codedWidth: d.width, codedHeight: d.height };
  if (d.description) config.description = d.description;
  const support = await VideoDecoder.isConfigSupported(config);
  if (!support.supported) {
    throw new VideoError(file, "unsupported", `this browser cannot decode ${d.codec} video`);
  }
  decoder.configure(config);
  for (const s of d.samples) {
    decoder.decode(
      new EncodedVideoChunk({
        type: s.is_sync ? "key" : "delta",
        timestamp: Math.round((1e6 * s.cts) / s.timescale),
        duration: Math.round((1e6 * s.duration) / s.timescale),
        data: s.data!,
      }),
    );
  }
  await decoder.flush().catch((e: Error) => void (failure ??= e));
  decoder.close();
  if (failure) throw new VideoError(file, "corrupt", `video decoder: ${failure.message}`, { cause: failure });
  const frames = await Promise.all(pending);
  return frames.sort((a, b) => a.timestamp - b.timestamp).map((f) => f.grey);
}

/**
 * Opens an MP4/MOV with WebCodecs (browsers): container facts as {@link probeMp4} reads them, grey frames decoded
 * on the first frame request.
 */
export function openMp4WebCodecs(bytes: Uint8Array, file: string): Video {
  const track = probeMp4(bytes, file);
  let frames: Promise<Uint8Array[]> | undefined;
  const all = (): Promise<Uint8Array[]> => frames ??= decodeAll(demux(bytes, file), file);
  const decode = async (index: number): Promise<Uint8Array> => {
    const decoded = await all();
    const frame = decoded[index];
    if (!frame) {
      throw new VideoError(
        file,
        "truncated",
        `the decoder gave ${decoded.length} frames, frame ${index} is missing`,
      );
    }
    return frame;
  };
  decode.prefetch = async (): Promise<void> => void (await all());
  return makeVideo(
    {
      file,
      format: "mp4",
      codec: track.codec,
      frameCount: track.frameCount,
      width: track.width,
      height: track.height,
      channels: 1,
      fps: track.fps,
      durationS: track.durationS,
    },
    decode,
  );
}
