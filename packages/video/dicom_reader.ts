/**
 * DICOM Part 10 reader for ultrasound cines (via `dicom-parser`). Dispatches on the transfer syntax (native
 * little/big endian, deflated, RLE Lossless, JPEG Baseline/Extended, JPEG Lossless; MPEG-4/H.264/HEVC through
 * ffmpeg), converts the photometric interpretation, reads frame timing and ultrasound regions, and decodes frames
 * lazily. Patient-identifying attributes are never read, so they cannot leak into errors, logs or manifests.
 * @module
 */
import dicomParser from "dicom-parser";
import { inflateSync } from "fflate";
import { Decoder as LosslessDecoder } from "jpeg-lossless-decoder-js";
import { quoteHeaderText, thrownMessage, VideoError } from "./errors.ts";
import { checkVideoHeader } from "./limits.ts";
import { concatBytes, decodeJpeg, readJpegMarkers } from "./jpeg.ts";
import { decodeRleFrame } from "./dicom_rle.ts";
import { isVideoTransferSyntax, TRANSFER_SYNTAX, transferSyntaxName } from "./dicom_uids.ts";
import {
  naturalChannels,
  type Palette,
  type SampleLayout,
  SUPPORTED_PHOTOMETRICS,
  toDisplay,
} from "./dicom_photometric.ts";
import { readDicomTiming } from "./dicom_timing.ts";
import { makeVideo, type PixelRegion, type PixelSpacing, type Video } from "./video.ts";
import { lazyFfmpegFrames } from "./ffmpeg.ts";

/** Options for {@link openDicom}. */
export interface DicomOpenOptions {
  /** Output channels; default 1 for MONOCHROME images, 3 for colour ones. */
  channels?: 1 | 3;
  /** ffmpeg binary for MPEG/H.264/HEVC transfer syntaxes (default: `$FFMPEG_PATH`, else PATH). */
  ffmpegPath?: string;
}

const NATIVE = new Set<string>([
  TRANSFER_SYNTAX.implicitLittle,
  TRANSFER_SYNTAX.explicitLittle,
  TRANSFER_SYNTAX.explicitBig,
  TRANSFER_SYNTAX.deflatedExplicitLittle,
]);
const JPEG_LOSSY = new Set<string>([TRANSFER_SYNTAX.jpegBaseline, TRANSFER_SYNTAX.jpegExtended]);
const JPEG_LOSSLESS = new Set<string>([TRANSFER_SYNTAX.jpegLossless, TRANSFER_SYNTAX.jpegLosslessSv1]);

/** True when the bytes carry the Part 10 "DICM" prefix. */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 &&
    bytes[131] === 0x4d;
}

/**
 * The transfer syntax of a bare DICOM dataset (no preamble or file meta, as some old exports are), or undefined
 * when the bytes do not start like one: a group-0008 element, followed by a VR in explicit encoding.
 */
export function rawDicomSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 16 || bytes[0] !== 0x08 || bytes[1] !== 0x00 || bytes[3] !== 0x00) return undefined;
  const upper = (b: number): boolean => b >= 0x41 && b <= 0x5a;
  return upper(bytes[4]) && upper(bytes[5]) ? TRANSFER_SYNTAX.explicitLittle : TRANSFER_SYNTAX.implicitLittle;
}

/** Parses a Part 10 file (or a bare dataset), inflating deflated datasets. Errors become {@link VideoError}s. */
export function parseDicomDataSet(bytes: Uint8Array, file: string): dicomParser.DataSet {
  const raw = looksLikeDicom(bytes) ? undefined : rawDicomSyntax(bytes);
  if (!looksLikeDicom(bytes) && !raw) {
    throw new VideoError(file, "corrupt", "not a DICOM Part 10 file (no DICM prefix)");
  }
  try {
    return dicomParser.parseDicom(bytes, {
      ...(raw ? { TransferSyntaxUID: raw } : {}),
      // dicom-parser's own Node fallback is not reachable under Deno: inflate the raw-deflated dataset here.
      inflater: ((all: Uint8Array, position: number) =>
        concatBytes([all.subarray(0, position), inflateSync(all.subarray(position))])) as unknown as (
          arr: Uint8Array,
          position: number,
        ) => void,
    });
  } catch (error) {
    // dicom-parser throws strings, Errors, or `{exception, dataSet}` with the partial data set (patient fields
    // included): keep only the message, never the thrown value.
    const message = thrownMessage(error);
    const truncated = /buffer overread|past the end|beyond|attempt to read past|exceeds/i.test(message);
    throw new VideoError(
      file,
      truncated ? "truncated" : "corrupt",
      quoteHeaderText(message.replace(/^dicomParser\.?/, ""), 200),
    );
  }
}

/** Opens an in-memory DICOM file as a lazily decoded {@link Video}. */
export function openDicom(
  bytes: Uint8Array,
  file: string,
  options: DicomOpenOptions = {},
): Video {
  const ds = parseDicomDataSet(bytes, file);
  const syntax = (ds.string("x00020010") ?? TRANSFER_SYNTAX.implicitLittle).replace(/\0/g, "").trim();
  const syntaxName = transferSyntaxName(syntax);
  const quotedSyntax = quoteHeaderText(syntax, 64);
  const height = ds.uint16("x00280010") ?? 0;
  const width = ds.uint16("x00280011") ?? 0;
  const samples = ds.uint16("x00280002") ?? 1;
  const bitsAllocated = ds.uint16("x00280100") ?? 8;
  const bitsStored = ds.uint16("x00280101") ?? bitsAllocated;
  const photometric = (ds.string("x00280004") ?? (samples === 3 ? "RGB" : "MONOCHROME2")).trim()
    .toUpperCase();
  const framesText = (ds.string("x00280008") ?? "").trim();
  // An absent or empty NumberOfFrames means one frame; anything else must be a positive integer.
  const frameCount = framesText === "" ? 1 : /^[+]?\d+$/.test(framesText) ? Number(framesText) : NaN;
  const pixelElement = ds.elements.x7fe00010;
  if (!pixelElement) throw new VideoError(file, "corrupt", "no Pixel Data (7FE0,0010) element");
  if (Number.isNaN(frameCount)) {
    throw new VideoError(
      file,
      "implausible-metadata",
      `NumberOfFrames '${quoteHeaderText(framesText)}' is not a positive integer`,
    );
  }
  const timing = readDicomTiming(ds, frameCount);
  checkVideoHeader(file, {
    width,
    height,
    frameCount,
    fps: timing.fps,
    fields: { width: "Columns", height: "Rows", frameCount: "NumberOfFrames", fps: timing.source },
    fileBytes: bytes.length,
  });
  if (!SUPPORTED_PHOTOMETRICS.includes(photometric) && !isVideoTransferSyntax(syntax)) {
    throw new VideoError(
      file,
      "unsupported",
      `photometric interpretation '${quoteHeaderText(photometric)}' is not supported`,
    );
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new VideoError(file, "unsupported", `BitsAllocated ${bitsAllocated} (only 8 and 16 are read)`);
  }
  if (samples !== 1 && samples !== 3) throw new VideoError(file, "unsupported", `SamplesPerPixel ${samples}`);
  const channels = options.channels ?? naturalChannels(photometric);
  const regions = readTissueRegion(ds, width, height);
  const info = {
    file,
    format: "dicom" as const,
    codec: syntaxName === "unknown" ? quotedSyntax : syntaxName,
    frameCount,
    width,
    height,
    channels,
    fps: timing.fps,
    durationS: timing.durationS,
    ...(timing.frameTimesMs ? { frameTimesMs: timing.frameTimesMs } : {}),
    ...regions,
  };

  if (isVideoTransferSyntax(syntax)) {
    // The frames form one MPEG/H.264/HEVC elementary stream spread over the fragments; ffmpeg decodes it on the
    // first frame request, so reading metadata never needs ffmpeg.
    const fragments = (pixelElement.fragments ?? []).map((f) =>
      ds.byteArray.subarray(f.position, f.position + f.length)
    );
    return makeVideo(
      info,
      lazyFfmpegFrames(concatBytes(fragments), file, {
        channels,
        width,
        height,
        frameCount,
        binary: options.ffmpegPath,
      }),
    );
  }
  const layout: SampleLayout = {
    height,
    width,
    samples,
    bitsAllocated,
    bitsStored,
    pixelRepresentation: ds.uint16("x00280103") ?? 0,
    planarConfiguration: ds.uint16("x00280006") ?? 0,
    photometric,
  };
  const palette = photometric === "PALETTE COLOR" ? readPalette(ds, file) : undefined;

  if (NATIVE.has(syntax)) {
    return makeVideo(
      info,
      nativeFrameDecoder(ds, pixelElement, layout, syntax, frameCount, file, channels, palette),
    );
  }
  if (!pixelElement.encapsulatedPixelData) {
    throw new VideoError(
      file,
      "corrupt",
      `transfer syntax ${syntaxName} (${quotedSyntax}) but pixel data is not encapsulated`,
    );
  }
  const frameFragments = splitFragments(ds, pixelElement, frameCount, syntax, file);
  const frameData = (i: number): Uint8Array => concatBytes(frameFragments[i]);
  // A JPEG frame allocates what its own SOF header says: check it against the (bounded) DICOM size first.
  const jpegFrame = (i: number): Uint8Array => {
    const data = frameData(i);
    const sof = readJpegMarkers(data);
    if (sof.width !== width || sof.height !== height) {
      throw new VideoError(
        file,
        sof.width > width || sof.height > height ? "too-large" : "corrupt",
        `JPEG frame header says ${sof.width}x${sof.height}, the DICOM header ${width}x${height}`,
        { frame: i },
      );
    }
    return data;
  };
  if (JPEG_LOSSY.has(syntax)) {
    return makeVideo(info, (i) => {
      const data = jpegFrame(i);
      const markers = readJpegMarkers(data);
      // The JPEG codec already converted YBR to RGB; a file labelled RGB without JFIF holds untransformed RGB.
      const colorTransform = photometric === "RGB" && !markers.jfif && markers.adobeTransform === undefined
        ? false
        : undefined;
      if (photometric === "PALETTE COLOR") {
        const indices = decodeJpeg(data, { channels: 1, colorTransform: false }).pixels;
        return toDisplay(indices, { ...layout, samples: 1 }, channels, palette);
      }
      const image = decodeJpeg(data, { channels, colorTransform });
      if (image.width !== width || image.height !== height) {
        throw new Error(`JPEG frame is ${image.width}x${image.height}, header says ${width}x${height}`);
      }
      if (photometric === "MONOCHROME1") return image.pixels.map((v) => 255 - v);
      return image.pixels;
    });
  }
  if (JPEG_LOSSLESS.has(syntax)) {
    return makeVideo(info, (i) => {
      const data = jpegFrame(i);
      const decoder = new LosslessDecoder();
      const buffer = data.slice().buffer;
      const raw = decoder.decode(buffer, 0, buffer.byteLength, bitsAllocated / 8);
      const stored = bitsAllocated === 16
        ? new Uint16Array(raw as ArrayBuffer)
        : new Uint8Array(raw as ArrayBuffer);
      // Lossless JPEG colour is always interleaved and never YBR-transformed by the codec.
      return toDisplay(stored, { ...layout, planarConfiguration: 0 }, channels, palette);
    });
  }
  if (syntax === TRANSFER_SYNTAX.rleLossless) {
    const bytesPerSample = bitsAllocated / 8;
    return makeVideo(info, (i) => {
      const planes = decodeRleFrame(frameData(i), width * height);
      if (planes.length !== samples * bytesPerSample) {
        throw new Error(`RLE frame has ${planes.length} segments, expected ${samples * bytesPerSample}`);
      }
      const count = width * height;
      // Segments: for each sample, its bytes from most to least significant. Rebuild planar samples.
      const stored = bytesPerSample === 1
        ? new Uint8Array(count * samples)
        : new Uint16Array(count * samples);
      for (let s = 0; s < samples; s++) {
        for (let k = 0; k < count; k++) {
          stored[s * count + k] = bytesPerSample === 1
            ? planes[s][k]
            : (planes[s * 2][k] << 8) | planes[s * 2 + 1][k];
        }
      }
      const rlePhotometric = photometric === "YBR_FULL_422" ? "YBR_FULL" : photometric;
      return toDisplay(
        stored,
        { ...layout, photometric: rlePhotometric, planarConfiguration: 1 },
        channels,
        palette,
      );
    });
  }
  throw new VideoError(
    file,
    "unsupported",
    `transfer syntax ${syntaxName} (${quotedSyntax}) is not supported; supported: native, deflated, RLE, JPEG ` +
      `baseline/extended/lossless, and MPEG-2/H.264/HEVC with ffmpeg`,
  );
}

function nativeFrameDecoder(
  ds: dicomParser.DataSet,
  element: dicomParser.Element,
  layout: SampleLayout,
  syntax: string,
  frameCount: number,
  file: string,
  channels: 1 | 3,
  palette: Palette | undefined,
): (index: number) => Uint8Array {
  const { width, height, samples, bitsAllocated, photometric } = layout;
  const bytesPerSample = bitsAllocated / 8;
  const frameBytes = photometric === "YBR_FULL_422"
    ? width * height * 2 * bytesPerSample
    : width * height * samples * bytesPerSample;
  const available = Math.floor(element.length / frameBytes);
  if (available < frameCount) {
    throw new VideoError(
      file,
      "truncated",
      `pixel data holds ${available} of ${frameCount} frames (${element.length} bytes, ${frameBytes} per frame)`,
    );
  }
  const bigEndian = syntax === TRANSFER_SYNTAX.explicitBig;
  // In big endian files 8-bit data stored as OW is byte-swapped in pairs (PS3.5 §8.1.1).
  const swapPairs = bigEndian && bitsAllocated === 8 && element.vr === "OW";
  const bytes = ds.byteArray as Uint8Array;
  return (index) => {
    const start = element.dataOffset + index * frameBytes;
    let raw = bytes.subarray(start, start + frameBytes);
    if (swapPairs) {
      // Pairs are counted from the start of the element, not of the frame.
      raw = raw.slice();
      const base = index * frameBytes;
      for (let k = 0; k < raw.length; k++) raw[k] = bytes[element.dataOffset + ((base + k) ^ 1)];
    }
    let stored: Uint8Array | Uint16Array = raw;
    if (bitsAllocated === 16) {
      const words = new Uint16Array(raw.length / 2);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let k = 0; k < words.length; k++) words[k] = view.getUint16(k * 2, !bigEndian);
      stored = words;
    }
    return toDisplay(stored, layout, channels, palette);
  };
}

/**
 * Groups the encapsulated fragments by frame: by the Basic Offset Table when present; one fragment per frame when
 * the counts match; all fragments for a single frame; else (JPEG) a new frame at each fragment that starts with a
 * JPEG SOI marker.
 */
function splitFragments(
  ds: dicomParser.DataSet,
  element: dicomParser.Element,
  frameCount: number,
  syntax: string,
  file: string,
): Uint8Array[][] {
  const fragments = element.fragments ?? [];
  const bytes = ds.byteArray as Uint8Array;
  const data = (f: dicomParser.Fragment): Uint8Array => {
    if (f.position + f.length > bytes.length) {
      throw new VideoError(file, "truncated", `pixel data fragment at byte ${f.position} runs past the end`);
    }
    return bytes.subarray(f.position, f.position + f.length);
  };
  if (fragments.length === 0) {
    throw new VideoError(file, "corrupt", "encapsulated pixel data has no fragments");
  }
  const table = element.basicOffsetTable ?? [];
  const ascending = table.every((v, k) => k === 0 || v > table[k - 1]);
  if (table.length === frameCount && frameCount > 1 && ascending) {
    // Frame k holds the fragments whose offsets lie in [table[k], table[k+1]); one pass, since both are sorted.
    const frames: Uint8Array[][] = Array.from({ length: frameCount }, () => []);
    let k = 0;
    for (const f of fragments) {
      while (k + 1 < frameCount && f.offset >= table[k + 1]) k++;
      if (f.offset >= table[k]) frames[k].push(data(f));
    }
    if (frames.every((f) => f.length > 0)) return frames;
  }
  if (fragments.length === frameCount) return fragments.map((f) => [data(f)]);
  if (frameCount === 1) return [fragments.map(data)];
  if (JPEG_LOSSY.has(syntax) || JPEG_LOSSLESS.has(syntax)) {
    const frames: Uint8Array[][] = [];
    for (const fragment of fragments) {
      const bytesOf = data(fragment);
      const startsFrame = bytesOf[0] === 0xff && bytesOf[1] === 0xd8 && bytesOf[2] === 0xff;
      if (startsFrame || frames.length === 0) frames.push([]);
      frames[frames.length - 1].push(bytesOf);
    }
    if (frames.length === frameCount) return frames;
    throw new VideoError(
      file,
      "corrupt",
      `found ${frames.length} JPEG frames in ${fragments.length} fragments, NumberOfFrames is ${frameCount}`,
    );
  }
  throw new VideoError(
    file,
    "corrupt",
    `cannot assign ${fragments.length} fragments to ${frameCount} frames without a Basic Offset Table`,
  );
}

function readPalette(ds: dicomParser.DataSet, file: string): Palette {
  if (ds.elements.x00281221) {
    throw new VideoError(file, "unsupported", "segmented PALETTE COLOR lookup tables are not supported");
  }
  const channels: Uint8Array[] = [];
  let firstMapped = 0;
  let entries = 0;
  for (let c = 0; c < 3; c++) {
    const descriptorTag = `x0028110${c + 1}`;
    const dataTag = `x0028120${c + 1}`;
    const descriptor = ds.elements[descriptorTag];
    const data = ds.elements[dataTag];
    if (!descriptor || !data) throw new VideoError(file, "corrupt", "PALETTE COLOR without its lookup table");
    entries = ds.uint16(descriptorTag, 0) || 65536;
    // The first mapped value is US or SS depending on the pixel representation; read it as unsigned.
    firstMapped = ds.uint16(descriptorTag, 1) ?? 0;
    const bits = ds.uint16(descriptorTag, 2) ?? 16;
    const raw = (ds.byteArray as Uint8Array).subarray(data.dataOffset, data.dataOffset + data.length);
    const lut = new Uint8Array(entries);
    const bigEndian = ds.string("x00020010")?.trim() === TRANSFER_SYNTAX.explicitBig;
    if (raw.length >= entries * 2) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const words = Array.from({ length: entries }, (_, i) => view.getUint16(i * 2, !bigEndian));
      // 16-bit entries keep their top byte; 8-bit entries stored one per word keep their value.
      const max = words.reduce((m, w) => Math.max(m, w), 0);
      for (let i = 0; i < entries; i++) lut[i] = bits === 8 && max < 256 ? words[i] : words[i] >> 8;
    } else if (raw.length >= entries) {
      lut.set(raw.subarray(0, entries));
    } else {
      throw new VideoError(file, "corrupt", `palette has ${raw.length} bytes for ${entries} entries`);
    }
    channels.push(lut);
  }
  const rgb = new Uint8Array(entries * 3);
  for (let i = 0; i < entries; i++) {
    rgb[i * 3] = channels[0][i];
    rgb[i * 3 + 1] = channels[1][i];
    rgb[i * 3 + 2] = channels[2][i];
  }
  return { firstMapped, rgb };
}

/**
 * Pixel spacing and tissue bounds from the first B-mode (RegionDataType 1) ultrasound region in cm units.
 * Regions that do not fit inside the image (stale geometry after resizing) are ignored.
 */
function readTissueRegion(
  ds: dicomParser.DataSet,
  width: number,
  height: number,
): { spacing?: PixelSpacing; tissueRegion?: PixelRegion } {
  const items = ds.elements.x00186011?.items ?? [];
  for (const item of items) {
    const region = item.dataSet;
    if (!region) continue;
    if ((region.uint16("x00186014") ?? 0) !== 1) continue;
    const x0 = region.uint32("x00186018") ?? 0;
    const y0 = region.uint32("x0018601a") ?? 0;
    let x1 = (region.uint32("x0018601c") ?? width - 1) + 1;
    let y1 = (region.uint32("x0018601e") ?? height - 1) + 1;
    // Some scanners write max = Columns (one past the last pixel): clamp overshoots of a pixel or two, but
    // treat larger ones as stale geometry from before a resize.
    if (x1 <= width + 2) x1 = Math.min(x1, width);
    if (y1 <= height + 2) y1 = Math.min(y1, height);
    if (x1 > width || y1 > height || x0 >= x1 || y0 >= y1) continue;
    const out: { spacing?: PixelSpacing; tissueRegion?: PixelRegion } = { tissueRegion: { x0, y0, x1, y1 } };
    const unitsX = region.uint16("x00186024");
    const unitsY = region.uint16("x00186026");
    const dx = region.double("x0018602c");
    const dy = region.double("x0018602e");
    if (unitsX === 3 && unitsY === 3 && dx && dy) out.spacing = { xCm: Math.abs(dx), yCm: Math.abs(dy) };
    return out;
  }
  return {};
}
