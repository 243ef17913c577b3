/**
 * Encoding of DICOM data elements for the writer: implicit or explicit VR, little or big endian, defined-length
 * sequences and undefined-length encapsulated pixel data.
 * @module
 */
import { ByteWriter } from "./bytes.ts";

/** Whether VRs are written and in which byte order. */
export interface DicomSyntax {
  /** Explicit VR. */
  explicit: boolean;
  /** Little endian. */
  littleEndian: boolean;
}

/** VRs whose explicit encoding has 2 reserved bytes and a 4-byte length. */
const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UR", "UT", "UN"]);

/** One data element to write. */
export interface DicomElement {
  /** (group << 16) | element. */
  tag: number;
  /** Value representation. */
  vr: string;
  /** The value, or (sequences and encapsulated pixel data) the item bodies. */
  value: Uint8Array | Uint8Array[];
  /** Undefined length with a sequence delimiter (encapsulated pixel data). */
  encapsulated?: boolean;
}

/** A string element, padded to even length (UI with NUL, others with a space). */
export function str(tag: number, vr: string, text: string): DicomElement {
  const padByte = vr === "UI" ? 0 : 0x20;
  const bytes = new Uint8Array(text.length + (text.length & 1));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  if (text.length & 1) bytes[text.length] = padByte;
  return { tag, vr, value: bytes };
}

/** A numeric element (US, UL or FD values) in the given byte order. */
export function num(
  tag: number,
  vr: "US" | "UL" | "FD",
  values: readonly number[],
  le: boolean,
): DicomElement {
  const w = new ByteWriter(values.length * 8);
  for (const v of values) {
    if (vr === "US") w.u16(v, le);
    else if (vr === "UL") w.u32(v, le);
    else w.f64(v, le);
  }
  return { tag, vr, value: w.toBytes() };
}

/** The value of an AT (attribute tag) element. */
export function atValue(tag: number, le: boolean): Uint8Array {
  return new ByteWriter(4).u16(tag >>> 16, le).u16(tag & 0xffff, le).toBytes();
}

/** Decimal string of at most 16 characters, as VR DS requires. */
export function formatDs(value: number): string {
  let text = String(Number(value.toFixed(6)));
  if (text.length > 16) text = value.toPrecision(10);
  return text;
}

function writeTag(w: ByteWriter, tag: number, le: boolean): void {
  w.u16(tag >>> 16, le).u16(tag & 0xffff, le);
}

/** Appends one element (with its items, for sequences and encapsulated data). */
export function writeElement(w: ByteWriter, element: DicomElement, syntax: DicomSyntax): void {
  const le = syntax.littleEndian;
  const { tag, vr } = element;
  const isList = Array.isArray(element.value);
  const parts = element.value as Uint8Array[];
  const single = element.value as Uint8Array;
  const undefinedLength = element.encapsulated === true;
  let length = 0;
  if (!isList) length = single.length;
  else for (const part of parts) length += 8 + part.length; // each item: tag + length + body
  writeTag(w, tag, le);
  if (syntax.explicit) {
    w.ascii(vr);
    if (LONG_VRS.has(vr)) w.u16(0).u32(undefinedLength ? 0xffffffff : length, le);
    else w.u16(length, le);
  } else {
    w.u32(undefinedLength ? 0xffffffff : length, le);
  }
  if (!isList) {
    w.bytes(single);
    return;
  }
  for (const part of parts) {
    writeTag(w, 0xfffee000, le);
    w.u32(part.length, le);
    w.bytes(part);
  }
  if (undefinedLength) {
    writeTag(w, 0xfffee0dd, le);
    w.u32(0, le);
  }
}
