/**
 * A minimal DICOM Part 10 writer for multi-frame ultrasound: native (implicit/explicit little endian, explicit
 * big endian, deflated), RLE Lossless, JPEG Baseline/Extended, JPEG Lossless (process 14 and SV1) and
 * pre-encoded H.264 pixel data; MONOCHROME1/2 (8–16 bits), RGB (planar 0/1), YBR_FULL, YBR_FULL_422 and PALETTE
 * COLOR; frame timing (FrameTime or FrameTimeVector, CineRate) and an ultrasound region with pixel
 * spacing. Made for synthetic datasets and round-trip tests, not for clinical archives.
 * @module
 */
import { deflateSync } from "fflate";
import { ByteWriter } from "./bytes.ts";
import {
  atValue,
  type DicomElement as Element,
  type DicomSyntax as Syntax,
  formatDs,
  num,
  str,
  writeElement,
} from "./dicom_elements.ts";
import { newUid, SOP_CLASS, TRANSFER_SYNTAX } from "./dicom_uids.ts";
import { encodeRleFrame } from "./dicom_rle.ts";
import { encodeJpeg } from "./jpeg.ts";
import { encodeLosslessJpeg } from "./jpeg_lossless_encoder.ts";
import type { PixelRegion, PixelSpacing } from "./video.ts";

/** Transfer syntaxes {@link writeDicom} can produce. */
export type DicomWriteSyntax =
  | "implicit-le"
  | "explicit-le"
  | "explicit-be"
  | "deflated-le"
  | "rle"
  | "jpeg-baseline"
  | "jpeg-extended"
  | "jpeg-lossless"
  | "jpeg-lossless-14"
  | "h264";

/** Photometric interpretations {@link writeDicom} can produce. */
export type DicomWritePhotometric =
  | "MONOCHROME2"
  | "MONOCHROME1"
  | "RGB"
  | "YBR_FULL"
  | "YBR_FULL_422"
  | "PALETTE COLOR";

/** Options for {@link writeDicom}. */
export interface DicomWriteOptions {
  /** Frame width (Columns). */
  width: number;
  /** Frame height (Rows). */
  height: number;
  /** Channels of the input frames: 1 grey (or palette indices), 3 RGB. */
  channels: 1 | 3;
  /** Frames per second, written as FrameTime (ms) and CineRate. */
  fps: number;
  /** Transfer syntax (default "explicit-le"). */
  transferSyntax?: DicomWriteSyntax;
  /**
   * Stored photometric interpretation. Default MONOCHROME2 for 1 channel, RGB for 3 (YBR_FULL for JPEG, whose
   * stream is YCbCr). Input frames are always display values: MONOCHROME1 is inverted on write, YBR_FULL
   * converted from RGB; PALETTE COLOR takes 1-channel index frames plus {@link DicomWriteOptions.palette}.
   */
  photometric?: DicomWritePhotometric;
  /**
   * Bits stored per grey sample, 8 (default) to 16. Above 8, frames are Uint16Array, BitsAllocated is 16, and
   * only MONOCHROME1/2 with native or RLE transfer syntaxes are written.
   */
  bitsStored?: number;
  /** Planar configuration of native RGB/YBR data: 0 = RGBRGB…, 1 = RRR…GGG…BBB… (default 0). */
  planarConfiguration?: 0 | 1;
  /** Palette for PALETTE COLOR: 256 RGB triplets (768 bytes). */
  palette?: Uint8Array;
  /** Variable per-frame times (ms): written as FrameTimeVector instead of FrameTime. */
  frameTimesMs?: readonly number[];
  /** Pixel spacing, written in a SequenceOfUltrasoundRegions item (units cm). */
  spacing?: PixelSpacing;
  /** Tissue region bounds for that item (default: the whole frame). */
  tissueRegion?: PixelRegion;
  /** JPEG quality 1–100 (default 90). */
  jpegQuality?: number;
  /**
   * For transferSyntax "h264": the already encoded H.264 elementary stream (Annex B) of all frames. The frames
   * argument then only sets the frame count and is not encoded (this package has no H.264 encoder).
   */
  videoStream?: Uint8Array;
  /** Split each encapsulated frame into this many fragments (default 1); >1 tests readers' fragment joining. */
  fragmentsPerFrame?: number;
  /** Write an empty Basic Offset Table (default false: offsets are written). */
  emptyOffsetTable?: boolean;
  /** Patient name (default empty). Readers must never echo it; tests use it to check that. */
  patientName?: string;
  /** Patient ID (default empty). */
  patientId?: string;
  /** Study Instance UID (default: new). Files of one study share it. */
  studyInstanceUid?: string;
  /** SOP Instance UID (default: new). */
  sopInstanceUid?: string;
  /** Series description, e.g. the view ("A4C"). */
  seriesDescription?: string;
}

/**
 * Writes frames (each `height*width*channels` bytes) as a DICOM Part 10 file.
 * @example
 * ```ts
 * import { writeDicom } from "@echojepa/video";
 * const frames = Array.from({ length: 4 }, () => new Uint8Array(64 * 48).fill(128));
 * const dcm = writeDicom(frames, { width: 64, height: 48, channels: 1, fps: 30, transferSyntax: "rle" });
 * ```
 */
export function writeDicom(
  frames: readonly (Uint8Array | Uint16Array)[],
  options: DicomWriteOptions,
): Uint8Array {
  const { width, height, channels, fps } = options;
  const syntaxName = options.transferSyntax ?? "explicit-le";
  const photometric = options.photometric ??
    (channels === 1 ? "MONOCHROME2" : isLossyJpeg(syntaxName) ? "YBR_FULL" : "RGB");
  validate(frames, options, photometric);
  // An H.264 stream is 4:2:0 YCbCr whatever the frames were (PS3.5 §8.2.8).
  const samples = photometric === "RGB" || photometric.startsWith("YBR") || syntaxName === "h264" ? 3 : 1;
  const bits = options.bitsStored ?? 8;
  const planar =
    samples === 3 && !isLossyJpeg(syntaxName) && !isLosslessJpeg(syntaxName) && syntaxName !== "rle" &&
      syntaxName !== "h264"
      ? options.planarConfiguration ?? 0
      : 0;
  const tsUid = {
    "implicit-le": TRANSFER_SYNTAX.implicitLittle,
    "explicit-le": TRANSFER_SYNTAX.explicitLittle,
    "explicit-be": TRANSFER_SYNTAX.explicitBig,
    "deflated-le": TRANSFER_SYNTAX.deflatedExplicitLittle,
    "rle": TRANSFER_SYNTAX.rleLossless,
    "jpeg-baseline": TRANSFER_SYNTAX.jpegBaseline,
    "jpeg-extended": TRANSFER_SYNTAX.jpegExtended,
    "jpeg-lossless": TRANSFER_SYNTAX.jpegLosslessSv1,
    "jpeg-lossless-14": TRANSFER_SYNTAX.jpegLossless,
    "h264": TRANSFER_SYNTAX.h264High,
  }[syntaxName];
  const syntax: Syntax = {
    explicit: syntaxName !== "implicit-le",
    littleEndian: syntaxName !== "explicit-be",
  };
  const le = syntax.littleEndian;
  const sopClass = frames.length > 1 ? SOP_CLASS.ultrasoundMultiFrame : SOP_CLASS.ultrasound;
  const sopInstance = options.sopInstanceUid ?? newUid();
  const frameTimeMs = 1000 / fps;

  const elements: Element[] = [
    str(0x00080008, "CS", "DERIVED\\PRIMARY"),
    str(0x00080016, "UI", sopClass),
    str(0x00080018, "UI", sopInstance),
    str(0x00080060, "CS", "US"),
    str(0x00080070, "LO", "EchoJEPA-TS synthetic"),
    str(0x00100010, "PN", options.patientName ?? ""),
    str(0x00100020, "LO", options.patientId ?? ""),
    str(0x00180040, "IS", String(Math.round(fps))),
    str(0x0020000d, "UI", options.studyInstanceUid ?? newUid()),
    str(0x0020000e, "UI", newUid()),
    str(0x00200013, "IS", "1"),
    num(0x00280002, "US", [samples], le),
    str(0x00280004, "CS", syntaxName === "h264" ? "YBR_PARTIAL_420" : photometric),
    num(0x00280010, "US", [height], le),
    num(0x00280011, "US", [width], le),
    num(0x00280100, "US", [bits > 8 ? 16 : 8], le),
    num(0x00280101, "US", [bits], le),
    num(0x00280102, "US", [bits - 1], le),
    num(0x00280103, "US", [0], le),
  ];
  if (options.seriesDescription !== undefined) {
    elements.push(str(0x0008103e, "LO", options.seriesDescription));
  }
  if (samples === 3) elements.push(num(0x00280006, "US", [planar], le));
  if (frames.length > 1) {
    elements.push(str(0x00280008, "IS", String(frames.length)));
    const pointer = options.frameTimesMs ? 0x00181065 : 0x00181063;
    elements.push({ tag: 0x00280009, vr: "AT", value: atValue(pointer, le) });
  }
  if (options.frameTimesMs) {
    elements.push(str(0x00181065, "DS", options.frameTimesMs.map(formatDs).join("\\")));
  } else {
    elements.push(str(0x00181063, "DS", formatDs(frameTimeMs)));
  }
  if (options.spacing) elements.push(regionSequence(options, syntax));
  if (photometric === "PALETTE COLOR") elements.push(...paletteElements(options.palette!, le));

  // JPEG streams carry display RGB/grey: the codec does its own YCbCr transform.
  const stored = isLossyJpeg(syntaxName) || syntaxName === "h264"
    ? frames
    : frames.map((frame) => toStored(frame, width, height, photometric, planar, bits));
  elements.push(pixelDataElement(stored, syntaxName, options, samples, le));
  elements.sort((a, b) => a.tag - b.tag);

  const body = new ByteWriter(1 << 16);
  for (const element of elements) writeElement(body, element, syntax);
  let dataset = body.toBytes();
  if (syntaxName === "deflated-le") dataset = deflateSync(dataset, { level: 6 });

  const out = new ByteWriter(dataset.length + 512);
  out.bytes(new Uint8Array(128)).ascii("DICM");
  const meta = new ByteWriter(256);
  const metaSyntax: Syntax = { explicit: true, littleEndian: true };
  writeElement(meta, { tag: 0x00020001, vr: "OB", value: Uint8Array.of(0, 1) }, metaSyntax);
  writeElement(meta, str(0x00020002, "UI", sopClass), metaSyntax);
  writeElement(meta, str(0x00020003, "UI", sopInstance), metaSyntax);
  writeElement(meta, str(0x00020010, "UI", tsUid), metaSyntax);
  writeElement(meta, str(0x00020012, "UI", "2.25.186429304714623540941254587640733128271"), metaSyntax);
  writeElement(meta, str(0x00020013, "SH", "ECHOJEPA_TS_01"), metaSyntax);
  const metaBytes = meta.toBytes();
  writeElement(out, num(0x00020000, "UL", [metaBytes.length], true), metaSyntax);
  out.bytes(metaBytes).bytes(dataset);
  return out.toBytes();
}

function isLossyJpeg(syntax: DicomWriteSyntax): boolean {
  return syntax === "jpeg-baseline" || syntax === "jpeg-extended";
}

function isLosslessJpeg(syntax: DicomWriteSyntax): boolean {
  return syntax === "jpeg-lossless" || syntax === "jpeg-lossless-14";
}

function validate(
  frames: readonly (Uint8Array | Uint16Array)[],
  options: DicomWriteOptions,
  photometric: string,
): void {
  const { width, height, channels, fps } = options;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`writeDicom: invalid size ${width}x${height}`);
  }
  if (width > 65535 || height > 65535) throw new RangeError(`writeDicom: ${width}x${height} exceeds 65535`);
  if (!(fps > 0)) throw new RangeError(`writeDicom: fps must be positive, got ${fps}`);
  if (frames.length === 0) throw new RangeError("writeDicom: no frames");
  const wantChannels = photometric === "RGB" || photometric.startsWith("YBR") ? 3 : 1;
  const bits = options.bitsStored ?? 8;
  if (!(Number.isInteger(bits) && bits >= 8 && bits <= 16)) {
    throw new RangeError(`writeDicom: bitsStored ${bits}`);
  }
  if (bits > 8) {
    const syntax = options.transferSyntax ?? "explicit-le";
    if (!photometric.startsWith("MONOCHROME") || syntax.startsWith("jpeg") || syntax === "h264") {
      throw new RangeError(`writeDicom: ${bits}-bit samples are written only as MONOCHROME, native or RLE`);
    }
  }
  if (
    photometric === "YBR_FULL_422" &&
    (options.width % 2 || (options.transferSyntax ?? "explicit-le") === "rle" ||
      (options.transferSyntax ?? "").startsWith("jpeg"))
  ) {
    throw new RangeError("writeDicom: native YBR_FULL_422 needs an even width and a native transfer syntax");
  }
  if (channels !== wantChannels) {
    throw new RangeError(`writeDicom: photometric ${photometric} needs ${wantChannels}-channel frames`);
  }
  frames.forEach((frame, t) => {
    if ((bits > 8) !== (frame instanceof Uint16Array)) {
      throw new RangeError(`writeDicom: frame ${t} must be a ${bits > 8 ? "Uint16Array" : "Uint8Array"}`);
    }
    if (frame.length !== width * height * channels) {
      throw new RangeError(
        `writeDicom: frame ${t} has ${frame.length} bytes, expected ${width * height * channels}`,
      );
    }
  });
  if (photometric === "PALETTE COLOR" && options.palette?.length !== 768) {
    throw new RangeError("writeDicom: PALETTE COLOR needs a 768-byte palette (256 RGB triplets)");
  }
  if (options.transferSyntax === "h264" && !options.videoStream?.length) {
    throw new RangeError("writeDicom: transferSyntax h264 needs the encoded stream in videoStream");
  }
  if (options.frameTimesMs && options.frameTimesMs.length !== frames.length) {
    throw new RangeError(
      `writeDicom: ${options.frameTimesMs.length} frame times for ${frames.length} frames`,
    );
  }
  if (
    isLossyJpeg(options.transferSyntax ?? "explicit-le") && photometric !== "YBR_FULL" &&
    photometric !== "MONOCHROME2"
  ) {
    throw new RangeError(
      `writeDicom: JPEG Baseline is written as YBR_FULL or MONOCHROME2, not ${photometric}`,
    );
  }
}

/**
 * Converts display frames to stored values: MONOCHROME1 inversion, RGB→YCbCr (and 4:2:2 pairing), planar
 * reordering.
 */
function toStored(
  frame: Uint8Array | Uint16Array,
  width: number,
  height: number,
  photometric: string,
  planar: number,
  bits: number,
): Uint8Array | Uint16Array {
  const count = width * height;
  const max = (1 << bits) - 1;
  if (photometric === "MONOCHROME1") return frame.map((v) => max - v);
  if (photometric !== "RGB" && !photometric.startsWith("YBR")) return frame;
  let interleaved = frame;
  if (photometric.startsWith("YBR")) {
    interleaved = new Uint8Array(frame.length);
    for (let i = 0; i < count; i++) {
      const r = frame[i * 3], g = frame[i * 3 + 1], b = frame[i * 3 + 2];
      interleaved[i * 3] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
      interleaved[i * 3 + 1] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      interleaved[i * 3 + 2] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
  }
  if (photometric === "YBR_FULL_422") {
    // Each pair of pixels in a row: Y1 Y2 Cb Cr, chroma averaged over the pair.
    const out = new Uint8Array(count * 2);
    for (let i = 0; i < count; i += 2) {
      out[i * 2] = interleaved[i * 3];
      out[i * 2 + 1] = interleaved[i * 3 + 3];
      out[i * 2 + 2] = Math.round((interleaved[i * 3 + 1] + interleaved[i * 3 + 4]) / 2);
      out[i * 2 + 3] = Math.round((interleaved[i * 3 + 2] + interleaved[i * 3 + 5]) / 2);
    }
    return out;
  }
  if (planar === 0) return interleaved;
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < count; i++) {
    out[i] = interleaved[i * 3];
    out[count + i] = interleaved[i * 3 + 1];
    out[2 * count + i] = interleaved[i * 3 + 2];
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function pixelDataElement(
  stored: readonly (Uint8Array | Uint16Array)[],
  syntax: DicomWriteSyntax,
  options: DicomWriteOptions,
  samples: number,
  le: boolean,
): Element {
  const { width, height } = options;
  if (syntax === "h264") {
    // One stream over all frames, cut into fragments of at most 2^32−2 bytes (here: one unless huge).
    const stream = options.videoStream!;
    const fragment = stream.length & 1 ? padded(stream) : stream;
    return { tag: 0x7fe00010, vr: "OB", value: [new Uint8Array(0), fragment], encapsulated: true };
  }
  if (syntax !== "rle" && !isLossyJpeg(syntax) && !isLosslessJpeg(syntax)) {
    const wide = stored[0] instanceof Uint16Array;
    let total = 0;
    for (const s of stored) total += s.length * (wide ? 2 : 1);
    const all = new Uint8Array(total + (total & 1));
    const view = new DataView(all.buffer);
    let offset = 0;
    for (const s of stored) {
      if (wide) { for (let i = 0; i < s.length; i++) view.setUint16(offset + i * 2, s[i], le); }
      else all.set(s, offset);
      offset += s.length * (wide ? 2 : 1);
    }
    // 8-bit data is written as OB, which has no byte order; 16-bit as OW in the syntax's byte order.
    return { tag: 0x7fe00010, vr: wide ? "OW" : "OB", value: all };
  }
  const encoded = stored.map((frame) => {
    if (frame instanceof Uint16Array) {
      // RLE of 16-bit samples: the most significant byte plane first, then the least.
      return encodeRleFrame(
        [frame.map((v) => v >> 8), frame.map((v) => v & 0xff)].map((p) => Uint8Array.from(p)),
        width,
      );
    }
    // Lossless process 14 with predictor 1 is valid under both lossless JPEG transfer syntaxes.
    if (isLosslessJpeg(syntax)) return encodeLosslessJpeg(frame, width, height, samples as 1 | 3);
    // Baseline streams are valid under the extended syntax too (its 8-bit subset).
    if (isLossyJpeg(syntax)) {
      // Grey frames become 1-component JPEGs, colour frames YCbCr (JFIF) ones.
      return encodeJpeg(frame, width, height, samples as 1 | 3, options.jpegQuality ?? 90);
    }
    const count = width * height;
    const planes = samples === 1
      ? [frame]
      : [0, 1, 2].map((c) => Uint8Array.from({ length: count }, (_, i) => frame[i * 3 + c]));
    return encodeRleFrame(planes, width);
  });
  const fragmentsPerFrame = Math.max(1, options.fragmentsPerFrame ?? 1);
  const fragments: Uint8Array[] = [];
  const offsets: number[] = [];
  let position = 0;
  for (const frame of encoded) {
    offsets.push(position);
    // Even-sized pieces: only the last fragment of a frame may need a pad byte (after the JPEG EOI).
    const piece = Math.ceil(frame.length / fragmentsPerFrame / 2) * 2;
    for (let p = 0; p < frame.length; p += piece) {
      let fragment = frame.subarray(p, Math.min(p + piece, frame.length));
      if (fragment.length & 1) fragment = padded(fragment);
      fragments.push(fragment);
      position += 8 + fragment.length;
    }
  }
  const table = new ByteWriter(offsets.length * 4);
  if (!options.emptyOffsetTable) { for (const o of offsets) table.u32(o); }
  return { tag: 0x7fe00010, vr: "OB", value: [table.toBytes(), ...fragments], encapsulated: true };
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

function regionSequence(options: DicomWriteOptions, syntax: Syntax): Element {
  const le = syntax.littleEndian;
  const region = options.tissueRegion ?? { x0: 0, y0: 0, x1: options.width, y1: options.height };
  const spacing = options.spacing!;
  const item: Element[] = [
    num(0x00186012, "US", [1], le), // RegionSpatialFormat: 2D
    num(0x00186014, "US", [1], le), // RegionDataType: tissue
    num(0x00186016, "UL", [0], le), // RegionFlags
    num(0x00186018, "UL", [region.x0], le),
    num(0x0018601a, "UL", [region.y0], le),
    num(0x0018601c, "UL", [region.x1 - 1], le), // max bounds are inclusive in DICOM
    num(0x0018601e, "UL", [region.y1 - 1], le),
    num(0x00186024, "US", [3], le), // PhysicalUnitsXDirection: cm
    num(0x00186026, "US", [3], le),
    num(0x0018602c, "FD", [spacing.xCm], le),
    num(0x0018602e, "FD", [spacing.yCm], le),
  ];
  const body = new ByteWriter(256);
  for (const element of item) writeElement(body, element, syntax);
  return { tag: 0x00186011, vr: "SQ", value: [body.toBytes()] };
}

function paletteElements(palette: Uint8Array, le: boolean): Element[] {
  const out: Element[] = [];
  for (let c = 0; c < 3; c++) {
    // Descriptor: 256 entries, first mapped value 0, 16 bits per entry.
    out.push(num(0x00281101 + c, "US", [256, 0, 16], le));
    const data = new ByteWriter(512);
    for (let i = 0; i < 256; i++) data.u16(palette[i * 3 + c] * 257, le);
    out.push({ tag: 0x00281201 + c, vr: "OW", value: data.toBytes() });
  }
  return out;
}
