/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count + up to 15 offsets) followed by one
 * PackBits-coded segment per byte plane. Decoder for reading, encoder for writing test fixtures.
 * @module
 */

/** Decodes one RLE frame into its byte-plane segments, each exactly `planeBytes` long. */
export function decodeRleFrame(frame: Uint8Array, planeBytes: number): Uint8Array[] {
  if (frame.length < 64) {
    throw new RangeError(`RLE frame of ${frame.length} bytes is shorter than its header`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = view.getUint32(0, true);
  if (count < 1 || count > 15) throw new Error(`RLE header gives ${count} segments (allowed 1..15)`);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(view.getUint32(4 + i * 4, true));
  const segments: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = offsets[i];
    const end = i + 1 < count ? offsets[i + 1] : frame.length;
    if (start < 64 || end > frame.length || end < start) {
      throw new RangeError(`RLE segment ${i} has bad bounds ${start}..${end} in ${frame.length} bytes`);
    }
    segments.push(unpackBits(frame.subarray(start, end), planeBytes));
  }
  return segments;
}

/**
 * PackBits decoding into exactly `outLength` bytes. Extra input is ignored (segments are padded to even length);
 * missing output is an error.
 */
export function unpackBits(input: Uint8Array, outLength: number): Uint8Array {
  const out = new Uint8Array(outLength);
  let i = 0;
  let o = 0;
  while (o < outLength && i < input.length) {
    const header = input[i++];
    if (header < 128) { // literal run of header+1 bytes
      const n = header + 1;
      if (i + n > input.length) throw new RangeError("RLE literal run past the end of the segment");
      out.set(input.subarray(i, Math.min(i + n, i + outLength - o)), o);
      i += n;
      o += n;
    } else if (header > 128) { // repeat the next byte 257-header times
      const n = 257 - header;
      if (i >= input.length) throw new RangeError("RLE repeat run past the end of the segment");
      out.fill(input[i++], o, Math.min(o + n, outLength));
      o += n;
    } // 128 is a no-op
  }
  if (o < outLength) throw new RangeError(`RLE segment decoded to ${o} bytes, expected ${outLength}`);
  return out;
}

/** PackBits-encodes one byte plane, restarting runs at every row as PS3.5 recommends. */
export function packBits(plane: Uint8Array, rowLength: number): Uint8Array {
  const out: number[] = [];
  for (let rowStart = 0; rowStart < plane.length; rowStart += rowLength) {
    const row = plane.subarray(rowStart, Math.min(rowStart + rowLength, plane.length));
    let i = 0;
    while (i < row.length) {
      let run = 1;
      while (i + run < row.length && run < 128 && row[i + run] === row[i]) run++;
      if (run >= 2) {
        out.push(257 - run, row[i]);
        i += run;
        continue;
      }
      // Literal: extend until a repeat of 2+ starts or 128 bytes.
      let end = i + 1;
      while (end < row.length && end - i < 128 && !(end + 1 < row.length && row[end] === row[end + 1])) end++;
      out.push(end - i - 1);
      for (let k = i; k < end; k++) out.push(row[k]);
      i = end;
    }
  }
  if (out.length % 2) out.push(128); // pad segments to even length with the no-op
  return Uint8Array.from(out);
}

/** Encodes byte planes (1–15) as one DICOM RLE frame. */
export function encodeRleFrame(planes: readonly Uint8Array[], rowLength: number): Uint8Array {
  if (planes.length < 1 || planes.length > 15) {
    throw new RangeError(`RLE needs 1..15 planes, got ${planes.length}`);
  }
  const segments = planes.map((plane) => packBits(plane, rowLength));
  const total = 64 + segments.reduce((s, seg) => s + seg.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + i * 4, offset, true);
    out.set(segment, offset);
    offset += segment.length;
  });
  return out;
}
