/**
 * DICOM UIDs this package reads or writes, and readable names for them (errors name both).
 * @module
 */

/** Transfer syntax UIDs by short name. */
export const TRANSFER_SYNTAX = {
  implicitLittle: "1.2.840.10008.1.2",
  explicitLittle: "1.2.840.10008.1.2.1",
  deflatedExplicitLittle: "1.2.840.10008.1.2.1.99",
  explicitBig: "1.2.840.10008.1.2.2",
  jpegBaseline: "1.2.840.10008.1.2.4.50",
  jpegExtended: "1.2.840.10008.1.2.4.51",
  jpegLossless: "1.2.840.10008.1.2.4.57",
  jpegLosslessSv1: "1.2.840.10008.1.2.4.70",
  jpegLsLossless: "1.2.840.10008.1.2.4.80",
  jpegLsNearLossless: "1.2.840.10008.1.2.4.81",
  jpeg2000Lossless: "1.2.840.10008.1.2.4.90",
  jpeg2000: "1.2.840.10008.1.2.4.91",
  mpeg2Main: "1.2.840.10008.1.2.4.100",
  mpeg2High: "1.2.840.10008.1.2.4.101",
  h264High: "1.2.840.10008.1.2.4.102",
  h264HighBd: "1.2.840.10008.1.2.4.103",
  h264High3d: "1.2.840.10008.1.2.4.104",
  h264HighStereo: "1.2.840.10008.1.2.4.105",
  h264StereoHigh: "1.2.840.10008.1.2.4.106",
  hevcMain: "1.2.840.10008.1.2.4.107",
  hevcMain10: "1.2.840.10008.1.2.4.108",
  rleLossless: "1.2.840.10008.1.2.5",
} as const;

const NAMES: Record<string, string> = {
  [TRANSFER_SYNTAX.implicitLittle]: "implicit-vr-little-endian",
  [TRANSFER_SYNTAX.explicitLittle]: "explicit-vr-little-endian",
  [TRANSFER_SYNTAX.deflatedExplicitLittle]: "deflated-explicit-vr-little-endian",
  [TRANSFER_SYNTAX.explicitBig]: "explicit-vr-big-endian",
  [TRANSFER_SYNTAX.jpegBaseline]: "jpeg-baseline",
  [TRANSFER_SYNTAX.jpegExtended]: "jpeg-extended",
  [TRANSFER_SYNTAX.jpegLossless]: "jpeg-lossless",
  [TRANSFER_SYNTAX.jpegLosslessSv1]: "jpeg-lossless-sv1",
  [TRANSFER_SYNTAX.jpegLsLossless]: "jpeg-ls-lossless",
  [TRANSFER_SYNTAX.jpegLsNearLossless]: "jpeg-ls-near-lossless",
  [TRANSFER_SYNTAX.jpeg2000Lossless]: "jpeg-2000-lossless",
  [TRANSFER_SYNTAX.jpeg2000]: "jpeg-2000",
  [TRANSFER_SYNTAX.mpeg2Main]: "mpeg2-main",
  [TRANSFER_SYNTAX.mpeg2High]: "mpeg2-high",
  [TRANSFER_SYNTAX.h264High]: "h264-high",
  [TRANSFER_SYNTAX.h264HighBd]: "h264-high-bd",
  [TRANSFER_SYNTAX.h264High3d]: "h264-high-3d",
  [TRANSFER_SYNTAX.h264HighStereo]: "h264-high-stereo",
  [TRANSFER_SYNTAX.h264StereoHigh]: "h264-stereo-high",
  [TRANSFER_SYNTAX.hevcMain]: "hevc-main",
  [TRANSFER_SYNTAX.hevcMain10]: "hevc-main10",
  [TRANSFER_SYNTAX.rleLossless]: "rle-lossless",
};

/** A readable name for a transfer syntax UID ("unknown" when not listed). */
export function transferSyntaxName(uid: string): string {
  return NAMES[uid] ?? "unknown";
}

/** True for transfer syntaxes whose frames are an MPEG-2/H.264/HEVC bitstream (decoded through ffmpeg). */
export function isVideoTransferSyntax(uid: string): boolean {
  const last = Number(uid.split(".").pop());
  return uid.startsWith("1.2.840.10008.1.2.4.") && last >= 100 && last <= 108;
}

/** SOP classes used when writing. */
export const SOP_CLASS = {
  ultrasoundMultiFrame: "1.2.840.10008.5.1.4.1.1.3.1",
  ultrasound: "1.2.840.10008.5.1.4.1.1.6.1",
} as const;

/** Makes a new globally unique UID under the UUID-derived root 2.25 (ISO/IEC 9834-8). */
export function newUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return `2.25.${value}`;
}
