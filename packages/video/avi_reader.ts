/**
 * AVI (RIFF) reader in pure TypeScript: walks the chunk tree (including OpenDML `AVIX` extensions), reads the
 * frame rate and size from `avih`/`strh`/`strf`, indexes the video chunks of the first video stream, and decodes
 * frames lazily: Motion-JPEG through jpeg-js, uncompressed DIB (8-bit palette, 24/32-bit BGR) directly. Other
 * codecs are reported in {@link AviLayout.codec} so a caller can hand the file to ffmpeg.
 * @module
 */
import { fourCC } from "./bytes.ts";
import { VideoError } from "./errors.ts";
import { checkVideoHeader } from "./limits.ts";
import { decodeJpeg, readJpegMarkers } from "./jpeg.ts";
import { makeVideo, type Video } from "./video.ts";

/** Where the frames of an AVI's video stream are, and how they are coded. */
export interface AviLayout {
  /** FourCC of the codec (`strh` handler, else `strf` compression), or "DIB" for uncompressed frames. */
  codec: string;
  /** Frame width. */
  width: number;
  /** Frame height (absolute; DIB bottom-up order is in {@link AviLayout.bottomUp}). */
  height: number;
  /** Frames per second from `strh` rate/scale, else from `avih` µs per frame. */
  fps: number;
  /** DIB bits per pixel (8, 24 or 32); 24 for compressed codecs. */
  bitCount: number;
  /** True when DIB rows are stored bottom row first (positive biHeight). */
  bottomUp: boolean;
  /** Palette of 8-bit DIB frames, RGB triplets. */
  palette: Uint8Array | undefined;
  /** Byte offset and length of each frame's chunk data; a 0-length entry repeats the previous frame. */
  chunks: { offset: number; size: number }[];
}

const MJPEG_CODECS = new Set(["MJPG", "mjpg", "AVRN", "avrn", "dmb1", "JPEG", "jpeg", "MJPA", "AVDJ"]);

/** True when an AVI codec FourCC is Motion-JPEG (decodable here). */
export function isMjpegCodec(codec: string): boolean {
  return MJPEG_CODECS.has(codec);
}

/** True when the bytes start like an AVI file. */
export function looksLikeAvi(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && fourCC(bytes, 0) === "RIFF" && fourCC(bytes, 8) === "AVI ";
}

/** Parses the RIFF structure of an AVI file. Throws a {@link VideoError} on a broken or frameless file. */
export function parseAviLayout(bytes: Uint8Array, file: string): AviLayout {
  if (!looksLikeAvi(bytes)) throw new VideoError(file, "corrupt", "not an AVI file (no RIFF/AVI header)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let usPerFrame = 0;
  let avihWidth = 0;
  let avihHeight = 0;
  let streamIndex = -1;
  let streamCount = 0;
  let currentStreamIsVideo = false;
  let handler = "";
  let scale = 0;
  let rate = 0;
  let strf:
    | { width: number; height: number; bitCount: number; compression: string; palette?: Uint8Array }
    | undefined;
  const chunks: { offset: number; size: number }[] = [];
  let videoChunkPrefix = "";
  let cutShort = false;

  // Iterative walk over [start, end) ranges of sibling chunks.
  const walk = (start: number, end: number, inMovi: boolean): void => {
    let p = start;
    while (p + 8 <= end) {
      const id = fourCC(bytes, p);
      let size = view.getUint32(p + 4, true);
      const body = p + 8;
      const isList = id === "RIFF" || id === "LIST";
      // A list cut short (a truncated file) is walked as far as it goes: complete frames stay readable.
      if (isList && body + size > end) {
        size = Math.max(0, end - body);
        cutShort = true;
      }
      if (body + size > bytes.length) {
        if (inMovi && chunks.length > 0) return; // truncated tail: keep the complete frames
        throw new VideoError(file, "truncated", `chunk '${printable(id)}' at byte ${p} runs past the end`);
      }
      if (isList && size >= 4) {
        const listType = fourCC(bytes, body);
        if (listType === "strl") {
          streamCount++;
          currentStreamIsVideo = false;
        }
        walk(body + 4, body + size, inMovi || listType === "movi");
      } else if (id === "avih" && size >= 40) {
        usPerFrame = view.getUint32(body, true);
        avihWidth = view.getUint32(body + 32, true);
        avihHeight = view.getUint32(body + 36, true);
      } else if (id === "strh" && size >= 32) {
        currentStreamIsVideo = fourCC(bytes, body) === "vids" && streamIndex < 0;
        if (currentStreamIsVideo) {
          streamIndex = streamCount - 1;
          handler = fourCC(bytes, body + 4);
          scale = view.getUint32(body + 20, true);
          rate = view.getUint32(body + 24, true);
        }
      } else if (id === "strf" && currentStreamIsVideo && size >= 40) {
        const bitCount = view.getUint16(body + 14, true);
        const clrUsed = view.getUint32(body + 32, true);
        const paletteEntries = bitCount <= 8 ? (clrUsed || 1 << bitCount) : 0;
        let palette: Uint8Array | undefined;
        if (paletteEntries > 0 && 40 + paletteEntries * 4 <= size) {
          palette = new Uint8Array(paletteEntries * 3);
          for (let i = 0; i < paletteEntries; i++) {
            palette[i * 3] = bytes[body + 40 + i * 4 + 2];
            palette[i * 3 + 1] = bytes[body + 40 + i * 4 + 1];
            palette[i * 3 + 2] = bytes[body + 40 + i * 4];
          }
        }
        strf = {
          width: view.getInt32(body + 4, true),
          height: view.getInt32(body + 8, true),
          bitCount,
          compression: view.getUint32(body + 16, true) === 0 ? "DIB" : fourCC(bytes, body + 16),
          palette,
        };
      } else if (inMovi && streamIndex >= 0) {
        if (!videoChunkPrefix) videoChunkPrefix = String(streamIndex).padStart(2, "0");
        if (id.startsWith(videoChunkPrefix) && (id.endsWith("dc") || id.endsWith("db"))) {
          chunks.push({ offset: body, size });
        }
      }
      p = body + size + (size & 1);
    }
  };
  walk(0, bytes.length, false);

  // Missing parts of a file whose lists run past its end were most likely cut off, not malformed.
  const missingKind = cutShort ? "truncated" : "corrupt";
  if (streamIndex < 0 || !strf) throw new VideoError(file, missingKind, "no video stream header (strh/strf)");
  if (chunks.length === 0) throw new VideoError(file, missingKind, "no video frames in the movi list");
  const codec = strf.compression === "DIB" || strf.compression === "RGB " || handler === "DIB "
    ? "DIB"
    : MJPEG_CODECS.has(strf.compression)
    ? strf.compression
    : (handler.trim() ? handler : strf.compression);
  const fromStrh = scale > 0 && rate > 0;
  const fps = fromStrh ? rate / scale : usPerFrame > 0 ? 1e6 / usPerFrame : 0;
  if (!(fps > 0)) throw new VideoError(file, "corrupt", "no frame rate in strh or avih");
  const width = strf.width || avihWidth;
  const height = Math.abs(strf.height) || avihHeight;
  checkVideoHeader(file, {
    width,
    height,
    frameCount: chunks.length,
    fps,
    fields: {
      width: strf.width ? "strf biWidth" : "avih dwWidth",
      height: strf.height ? "strf biHeight" : "avih dwHeight",
      frameCount: "movi video chunks",
      fps: fromStrh ? `strh dwRate/dwScale ${rate}/${scale}` : `avih dwMicroSecPerFrame ${usPerFrame}`,
    },
    fileBytes: bytes.length,
  });
  return {
    codec,
    width,
    height,
    fps,
    bitCount: strf.bitCount || 24,
    bottomUp: strf.height > 0,
    palette: strf.palette,
    chunks,
  };
}

function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, "?");
}

/** Options for {@link openAvi}. */
export interface AviOpenOptions {
  /** Output channels; default: 1 for grey sources (1-component JPEG, grey-palette DIB), else 3. */
  channels?: 1 | 3;
}

/**
 * Opens an in-memory AVI (MJPEG or uncompressed DIB) as a lazily decoded {@link Video}.
 * Throws a {@link VideoError} of kind "unsupported" naming the FourCC for other codecs.
 */
export function openAvi(bytes: Uint8Array, file: string, options: AviOpenOptions = {}): Video {
  const layout = parseAviLayout(bytes, file);
  const { width, height } = layout;
  const mjpeg = isMjpegCodec(layout.codec);
  if (!mjpeg && layout.codec !== "DIB") {
    throw new VideoError(
      file,
      "unsupported",
      `AVI codec '${
        printable(layout.codec)
      }' needs ffmpeg (only MJPG and uncompressed DIB are decoded natively)`,
    );
  }
  if (!mjpeg && ![8, 24, 32].includes(layout.bitCount)) {
    throw new VideoError(file, "unsupported", `uncompressed AVI with ${layout.bitCount} bits per pixel`);
  }
  // Frame i's data chunk: zero-length chunks are "drop frames" that repeat the previous picture.
  const source: number[] = [];
  let last = -1;
  layout.chunks.forEach((chunk, i) => {
    if (chunk.size > 0) last = i;
    source.push(last);
  });
  const firstReal = source.find((i) => i >= 0) ?? -1;
  if (firstReal < 0) throw new VideoError(file, "corrupt", "every video chunk is empty");
  let channels = options.channels;
  if (channels === undefined) {
    if (mjpeg) {
      const first = layout.chunks[firstReal];
      try {
        const firstFrame = bytes.subarray(first.offset, first.offset + first.size);
        channels = readJpegMarkers(firstFrame).components === 1 ||
            isGreyRgb(decodeJpeg(firstFrame, { channels: 3 }).pixels)
          ? 1
          : 3;
      } catch (error) {
        throw new VideoError(file, "corrupt", `first frame is not a JPEG: ${(error as Error).message}`, {
          frame: firstReal,
          cause: error,
        });
      }
    } else {
      channels = layout.bitCount === 8 && isGreyPalette(layout.palette) ? 1 : 3;
    }
  }
  const outChannels: 1 | 3 = channels;
  const decode = (index: number): Uint8Array => {
    const chunkIndex = source[index] < 0 ? firstReal : source[index];
    const chunk = layout.chunks[chunkIndex];
    const data = bytes.subarray(chunk.offset, chunk.offset + chunk.size);
    if (mjpeg) {
      const image = decodeJpeg(data, { channels: outChannels });
      if (image.width !== width || image.height !== height) {
        throw new Error(`JPEG frame is ${image.width}x${image.height}, header says ${width}x${height}`);
      }
      return image.pixels;
    }
    return decodeDib(data, layout, outChannels);
  };
  const fps = layout.fps;
  return makeVideo(
    {
      file,
      format: "avi",
      codec: layout.codec,
      frameCount: layout.chunks.length,
      width,
      height,
      channels: outChannels,
      fps,
      durationS: layout.chunks.length / fps,
    },
    decode,
  );
}

/** True when every pixel of an RGB frame has (nearly) equal channels: grey content stored as colour JPEG. */
function isGreyRgb(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    if (Math.abs(rgb[i] - rgb[i + 1]) > 3 || Math.abs(rgb[i + 1] - rgb[i + 2]) > 3) return false;
  }
  return true;
}

function isGreyPalette(palette: Uint8Array | undefined): boolean {
  if (!palette) return false;
  for (let i = 0; i < palette.length; i += 3) {
    if (palette[i] !== palette[i + 1] || palette[i] !== palette[i + 2]) return false;
  }
  return true;
}

function decodeDib(data: Uint8Array, layout: AviLayout, channels: 1 | 3): Uint8Array {
  const { width, height, bitCount, palette, bottomUp } = layout;
  const stride = Math.ceil((width * bitCount) / 32) * 4;
  if (data.length < stride * height) {
    throw new RangeError(`DIB frame has ${data.length} bytes, needs ${stride * height}`);
  }
  const out = new Uint8Array(width * height * channels);
  const bytesPerPixel = bitCount / 8;
  for (let y = 0; y < height; y++) {
    const row = (bottomUp ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      let r: number, g: number, b: number;
      if (bitCount === 8) {
        const entry = data[row + x];
        if (palette && entry * 3 + 2 < palette.length) {
          r = palette[entry * 3];
          g = palette[entry * 3 + 1];
          b = palette[entry * 3 + 2];
        } else r = g = b = entry;
      } else {
        const s = row + x * bytesPerPixel;
        b = data[s];
        g = data[s + 1];
        r = data[s + 2];
      }
      const o = y * width + x;
      if (channels === 1) out[o] = r === g && g === b ? r : (r * 299 + g * 587 + b * 114 + 500) / 1000;
      else {
        out[o * 3] = r;
        out[o * 3 + 1] = g;
        out[o * 3 + 2] = b;
      }
    }
  }
  return out;
}
