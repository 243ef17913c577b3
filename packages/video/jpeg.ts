/**
 * Baseline JPEG frames through `jpeg-js`: decode to grey or RGB, encode grey or RGB. Handles the quirks that
 * video containers add: Motion-JPEG frames without Huffman tables (the "AVI1" convention) and RGB-coded JPEGs
 * that must not be colour-transformed (Adobe transform 0, or DICOM "RGB" without a JFIF marker).
 * @module
 */
import jpeg from "jpeg-js";
import { encodeBaselineJpeg } from "./jpeg_encoder.ts";
import { decodeJpegFast, UnsupportedJpegError } from "./jpeg_decoder.ts";
import { LimitExceededError } from "./errors.ts";
import { VIDEO_LIMITS } from "./limits.ts";

/** What the marker segments before the scan say about a JPEG. */
export interface JpegMarkers {
  /** Number of colour components in the frame header (1 grey, 3 colour). */
  components: number;
  /** Frame width from SOF. */
  width: number;
  /** Frame height from SOF. */
  height: number;
  /** Start-of-frame marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless …). */
  sofMarker: number;
  /** True when a JFIF APP0 segment is present (implies YCbCr for 3 components). */
  jfif: boolean;
  /** Adobe APP14 colour transform code, when that segment is present. */
  adobeTransform: number | undefined;
  /** True when the stream defines Huffman tables (DHT). */
  hasHuffmanTables: boolean;
}

/** Reads the marker segments of a JPEG up to its first scan. Throws on a stream that is not a JPEG. */
export function readJpegMarkers(bytes: Uint8Array): JpegMarkers {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new Error("not a JPEG stream (no SOI marker)");
  }
  const markers: JpegMarkers = {
    components: 0,
    width: 0,
    height: 0,
    sofMarker: 0,
    jfif: false,
    adobeTransform: undefined,
    hasHuffmanTables: false,
  };
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) throw new Error(`JPEG marker expected at byte ${p}`);
    const marker = bytes[p + 1];
    if (marker === 0xff) { // fill byte
      p++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const length = (bytes[p + 2] << 8) | bytes[p + 3];
    const body = p + 4;
    if (length < 2 || p + 2 + length > bytes.length) throw new RangeError("JPEG segment runs past the end");
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      markers.sofMarker = marker;
      markers.height = (bytes[body + 1] << 8) | bytes[body + 2];
      markers.width = (bytes[body + 3] << 8) | bytes[body + 4];
      markers.components = bytes[body + 5];
    } else if (marker === 0xc4) {
      markers.hasHuffmanTables = true;
    } else if (
      marker === 0xe0 && bytes[body] === 0x4a && bytes[body + 1] === 0x46 && bytes[body + 2] === 0x49
    ) {
      markers.jfif = true; // "JFI(F)"
    } else if (marker === 0xee && length >= 12 && bytes[body] === 0x41 && bytes[body + 1] === 0x64) {
      markers.adobeTransform = bytes[body + 11]; // "Ad(obe)" … transform is the last byte of the 12
    }
    p += 2 + length;
  }
  if (markers.components === 0) throw new RangeError("JPEG has no frame header before its scan");
  return markers;
}

/** Throws a {@link LimitExceededError} for a JPEG frame header with a side of 0 or above the limit. */
export function checkJpegSize(markers: JpegMarkers): void {
  for (const [field, side] of [["width", markers.width], ["height", markers.height]] as const) {
    if (side < 1) throw new LimitExceededError("implausible-metadata", `JPEG frame ${field} ${side}`);
    if (side > VIDEO_LIMITS.maxSide) {
      throw new LimitExceededError(
        "too-large",
        `JPEG frame ${field} ${side} exceeds the limit of ${VIDEO_LIMITS.maxSide} px`,
      );
    }
  }
}

let standardHuffmanTables: Uint8Array | undefined;

/**
 * The DHT segments of the standard (ITU T.81 Annex K) Huffman tables, taken from a tiny image that jpeg-js
 * encodes with them. Motion-JPEG frames that omit DHT are decoded with these, as the AVI1 convention says.
 */
function standardDht(): Uint8Array {
  if (standardHuffmanTables) return standardHuffmanTables;
  const probe = jpeg.encode({ data: new Uint8Array(8 * 8 * 4), width: 8, height: 8 }, 50).data;
  const parts: Uint8Array[] = [];
  let p = 2;
  while (p + 4 <= probe.length && probe[p + 1] !== 0xda) {
    const length = (probe[p + 2] << 8) | probe[p + 3];
    if (probe[p + 1] === 0xc4) parts.push(probe.subarray(p, p + 2 + length));
    p += 2 + length;
  }
  standardHuffmanTables = concatBytes(parts);
  return standardHuffmanTables;
}

/** Joins byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Options for {@link decodeJpeg}. */
export interface JpegDecodeOptions {
  /** Output channels: 1 takes the luma (or the only) component, 3 gives RGB. */
  channels: 1 | 3;
  /** Force (true) or forbid (false) the YCbCr→RGB transform for 3-component streams; default: from markers. */
  colorTransform?: boolean;
}

/** Result of {@link decodeJpeg}. */
export interface DecodedJpeg {
  /** Pixels, `height*width*channels` bytes. */
  pixels: Uint8Array;
  /** Width from the JPEG header. */
  width: number;
  /** Height from the JPEG header. */
  height: number;
}

/**
 * Decodes one baseline/extended JPEG frame to grey or RGB bytes. A frame header larger than
 * `VIDEO_LIMITS.maxSide` a side (or with a zero side) is refused before anything is allocated.
 */
export function decodeJpeg(bytes: Uint8Array, options: JpegDecodeOptions): DecodedJpeg {
  const markers = readJpegMarkers(bytes);
  checkJpegSize(markers);
  if (markers.sofMarker === 0xc3 || markers.sofMarker >= 0xc5) {
    throw new Error(
      `JPEG process with SOF marker 0x${markers.sofMarker.toString(16)} is not baseline/extended`,
    );
  }
  let stream = bytes;
  if (!markers.hasHuffmanTables) {
    stream = concatBytes([bytes.subarray(0, 2), standardDht(), bytes.subarray(2)]);
  }
  let colorTransform = options.colorTransform;
  if (colorTransform === undefined && markers.components === 3 && markers.adobeTransform === 0) {
    colorTransform = false; // jpeg-js ignores Adobe transform 0; it means the components are RGB already.
  }
  // The fast decoder handles what video carries (baseline, 8-bit, interleaved); anything else goes to jpeg-js.
  try {
    if (options.channels === 1 && markers.components === 3 && colorTransform === false) {
      // RGB-coded stream asked for grey: component 0 is red, not luma; convert from RGB.
      const rgb = decodeJpegFast(stream, 3, false);
      return { pixels: rgbToGrey(rgb.pixels), width: rgb.width, height: rgb.height };
    }
    return decodeJpegFast(stream, options.channels, colorTransform);
  } catch (error) {
    if (!(error instanceof UnsupportedJpegError)) throw error;
  }
  // A grey request of a YCbCr stream needs no colour transform: component 0 is the luma.
  const wantLumaOnly = options.channels === 1 && markers.components === 3 && colorTransform !== false;
  const image = jpeg.decode(stream, {
    useTArray: true,
    formatAsRGBA: false,
    colorTransform: wantLumaOnly ? false : colorTransform,
    maxMemoryUsageInMB: 2048,
  });
  const rgb = image.data as Uint8Array;
  const count = image.width * image.height;
  if (options.channels === 3) return { pixels: rgb, width: image.width, height: image.height };
  const grey = new Uint8Array(count);
  if (markers.components === 1 || wantLumaOnly) {
    for (let i = 0, j = 0; i < count; i++, j += 3) grey[i] = rgb[j];
  } else {
    for (let i = 0, j = 0; i < count; i++, j += 3) {
      grey[i] = (rgb[j] * 299 + rgb[j + 1] * 587 + rgb[j + 2] * 114 + 500) / 1000;
    }
  }
  return { pixels: grey, width: image.width, height: image.height };
}

function rgbToGrey(rgb: Uint8Array): Uint8Array {
  const grey = new Uint8Array(rgb.length / 3);
  for (let i = 0, j = 0; i < grey.length; i++, j += 3) {
    grey[i] = (rgb[j] * 299 + rgb[j + 1] * 587 + rgb[j + 2] * 114 + 500) / 1000;
  }
  return grey;
}

/**
 * Encodes grey (`channels` 1, a 1-component JPEG) or RGB (`channels` 3, YCbCr) pixels as a baseline JPEG at
 * `quality` 1–100.
 */
export function encodeJpeg(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  quality = 90,
): Uint8Array {
  return encodeBaselineJpeg(pixels, width, height, channels, quality);
}
