/**
 * Writes AVI files: Motion-JPEG (`MJPG`, the EchoNet-Dynamic layout: 112×112 grey frames stored as JPEG) or
 * uncompressed DIB frames (8-bit grey with a grey palette, or 24-bit BGR). Used to make synthetic datasets and
 * test fixtures that any AVI reader (OpenCV, ffmpeg, this package) opens.
 * @module
 */
import { ByteWriter } from "./bytes.ts";
import { encodeJpeg } from "./jpeg.ts";

/** Options for {@link writeAvi}. */
export interface AviWriteOptions {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** 1: grey frames `[H, W]`; 3: RGB frames `[H, W, 3]`. */
  channels: 1 | 3;
  /** Frames per second written to the headers (fractional allowed). */
  fps: number;
  /** `"MJPG"` (default, EchoNet style) or `"DIB"` (uncompressed). */
  codec?: "MJPG" | "DIB";
  /** JPEG quality 1–100 for MJPG (default 90). */
  quality?: number;
}

const AVIF_HASINDEX = 0x10;
const AVIIF_KEYFRAME = 0x10;

/**
 * Writes frames (each `height*width*channels` bytes, or one `[T, H, W(, 3)]` buffer) as an AVI file.
 * @example
 * ```ts
 * import { writeAvi } from "@echojepa/video";
 * const frames = Array.from({ length: 4 }, (_, t) => new Uint8Array(112 * 112).fill(t * 40));
 * const avi = writeAvi(frames, { width: 112, height: 112, channels: 1, fps: 50 });
 * ```
 */
export function writeAvi(frames: readonly Uint8Array[] | Uint8Array, options: AviWriteOptions): Uint8Array {
  const { width, height, channels, fps } = options;
  const codec = options.codec ?? "MJPG";
  const frameBytes = width * height * channels;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`writeAvi: invalid size ${width}x${height}`);
  }
  if (!(fps > 0)) throw new RangeError(`writeAvi: fps must be positive, got ${fps}`);
  const list = frames instanceof Uint8Array ? splitFrames(frames, frameBytes) : frames;
  list.forEach((frame, t) => {
    if (frame.length !== frameBytes) {
      throw new RangeError(`writeAvi: frame ${t} has ${frame.length} bytes, expected ${frameBytes}`);
    }
  });
  const chunkId = codec === "MJPG" ? "00dc" : "00db";
  const bitCount = codec === "MJPG" ? 24 : channels === 1 ? 8 : 24;
  const payloads = list.map((frame) =>
    codec === "MJPG"
      ? encodeJpeg(frame, width, height, channels, options.quality ?? 90)
      : toBottomUpDib(frame, width, height, channels)
  );
  const largest = payloads.reduce((m, p) => Math.max(m, p.length), 0);
  // Rational frame rate: integer fps as rate/1, otherwise millihertz.
  const scale = Number.isInteger(fps) ? 1 : 1000;
  const rate = Math.round(fps * scale);

  const w = new ByteWriter(1024 + payloads.reduce((s, p) => s + p.length + 24, 0));
  w.ascii("RIFF").u32(0).ascii("AVI ");
  const hdrlSize = w.length;
  w.ascii("LIST").u32(0).ascii("hdrl");
  w.ascii("avih").u32(56)
    .u32(Math.round(1e6 / fps)) // µs per frame
    .u32(Math.ceil(largest * fps)) // max bytes per second
    .u32(0) // padding granularity
    .u32(AVIF_HASINDEX)
    .u32(list.length)
    .u32(0) // initial frames
    .u32(1) // streams
    .u32(largest)
    .u32(width).u32(height)
    .u32(0).u32(0).u32(0).u32(0);
  const strlSize = w.length;
  w.ascii("LIST").u32(0).ascii("strl");
  w.ascii("strh").u32(56)
    .ascii("vids").ascii(codec === "MJPG" ? "MJPG" : "\0\0\0\0")
    .u32(0) // flags
    .u16(0).u16(0) // priority, language
    .u32(0) // initial frames
    .u32(scale).u32(rate)
    .u32(0) // start
    .u32(list.length)
    .u32(largest)
    .u32(0xffffffff) // quality: default
    .u32(0) // sample size: variable
    .i16(0).i16(0).i16(width).i16(height);
  const palette = codec === "DIB" && channels === 1 ? 256 : 0;
  w.ascii("strf").u32(40 + palette * 4)
    .u32(40).i32(width).i32(height).u16(1).u16(bitCount)
    .ascii(codec === "MJPG" ? "MJPG" : "\0\0\0\0")
    .u32(codec === "MJPG" ? width * height * 3 : dibStride(width, bitCount) * height)
    .i32(0).i32(0).u32(palette).u32(0);
  for (let i = 0; i < palette; i++) w.u8(i).u8(i).u8(i).u8(0);
  w.patchU32(strlSize + 4, w.length - strlSize - 8);
  w.patchU32(hdrlSize + 4, w.length - hdrlSize - 8);

  const moviStart = w.length;
  w.ascii("LIST").u32(0).ascii("movi");
  const index: { offset: number; size: number }[] = [];
  for (const payload of payloads) {
    index.push({ offset: w.length - (moviStart + 8), size: payload.length });
    w.ascii(chunkId).u32(payload.length).bytes(payload);
    if (payload.length % 2) w.u8(0); // RIFF chunks are word-aligned
  }
  w.patchU32(moviStart + 4, w.length - moviStart - 8);

  w.ascii("idx1").u32(index.length * 16);
  for (const entry of index) w.ascii(chunkId).u32(AVIIF_KEYFRAME).u32(entry.offset).u32(entry.size);
  w.patchU32(4, w.length - 8);
  return w.toBytes();
}

function splitFrames(stack: Uint8Array, frameBytes: number): Uint8Array[] {
  if (frameBytes === 0 || stack.length % frameBytes !== 0) {
    throw new RangeError(`writeAvi: buffer of ${stack.length} bytes is not a whole number of frames`);
  }
  const out: Uint8Array[] = [];
  for (let p = 0; p < stack.length; p += frameBytes) out.push(stack.subarray(p, p + frameBytes));
  return out;
}

/** Bytes per DIB row: rows are padded to a multiple of 4 bytes. */
export function dibStride(width: number, bitCount: number): number {
  return Math.ceil((width * bitCount) / 32) * 4;
}

function toBottomUpDib(frame: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  const stride = dibStride(width, channels * 8);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      if (channels === 1) out[row + x] = frame[y * width + x];
      else {
        const s = (y * width + x) * 3;
        out[row + x * 3] = frame[s + 2]; // DIB stores BGR
        out[row + x * 3 + 1] = frame[s + 1];
        out[row + x * 3 + 2] = frame[s];
      }
    }
  }
  return out;
}
