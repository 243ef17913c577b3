import assert from "node:assert/strict";
import { openAvi, parseAviLayout } from "./avi_reader.ts";
import { writeAvi } from "./avi_writer.ts";
import { ByteWriter } from "./bytes.ts";
import { VideoError } from "./errors.ts";
import { encodeJpeg } from "./jpeg.ts";
import { difference, syntheticFrames } from "./test_util.ts";

const W = 24;
const H = 16;

/** A RIFF chunk. */
function chunk(id: string, body: Uint8Array): Uint8Array {
  const w = new ByteWriter(body.length + 9).ascii(id).u32(body.length).bytes(body);
  if (body.length & 1) w.u8(0);
  return w.toBytes();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const w = new ByteWriter(1024);
  for (const p of parts) w.bytes(p);
  return w.toBytes();
}

/** Removes the DHT segments of a JPEG, as "AVI1" Motion-JPEG frames do. */
function stripHuffmanTables(jpegBytes: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [jpegBytes.subarray(0, 2)];
  let p = 2;
  while (jpegBytes[p + 1] !== 0xda) {
    const length = (jpegBytes[p + 2] << 8) | jpegBytes[p + 3];
    if (jpegBytes[p + 1] !== 0xc4) kept.push(jpegBytes.subarray(p, p + 2 + length));
    p += 2 + length;
  }
  kept.push(jpegBytes.subarray(p));
  return concat(kept);
}

Deno.test("OpenDML: frames in a following RIFF 'AVIX' chunk are read too", async () => {
  const frames = syntheticFrames(5, W, H, 1);
  const base = writeAvi(frames.slice(0, 3), { width: W, height: H, channels: 1, fps: 30, codec: "DIB" });
  const layout = parseAviLayout(base, "x.avi");
  const dibBytes = (f: Uint8Array) =>
    base.subarray(layout.chunks[0].offset, layout.chunks[0].offset).length + 0 || f;
  void dibBytes;
  // Second RIFF: LIST movi with frames 3 and 4 as bottom-up 8-bit DIB rows (width 24 is already 4-aligned).
  const dib = (frame: Uint8Array) => {
    const out = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) out.set(frame.subarray(y * W, (y + 1) * W), (H - 1 - y) * W);
    return out;
  };
  const movi = concat([
    new TextEncoder().encode("movi"),
    chunk("00db", dib(frames[3])),
    chunk("00db", dib(frames[4])),
  ]);
  const avix = chunk("RIFF", concat([new TextEncoder().encode("AVIX"), chunk("LIST", movi)]));
  const video = openAvi(concat([base, avix]), "opendml.avi");
  assert.equal(video.frameCount, 5);
  assert.equal(difference(await video.readFrame(4), frames[4]).max, 0);
});

Deno.test("MJPEG frames without Huffman tables decode with the standard tables", async () => {
  const frames = syntheticFrames(2, W, H, 1);
  const base = writeAvi(frames, { width: W, height: H, channels: 1, fps: 25 });
  const layout = parseAviLayout(base, "x.avi");
  // Rebuild the file with DHT-less frames of the same content.
  const stripped = frames.map((f) => stripHuffmanTables(encodeJpeg(f, W, H, 1, 90)));
  const header = base.subarray(0, layout.chunks[0].offset - 8 - 12); // up to the LIST movi
  const movi = chunk(
    "LIST",
    concat([new TextEncoder().encode("movi"), ...stripped.map((s) => chunk("00dc", s))]),
  );
  const body = concat([header.subarray(8), movi]);
  const file = concat([new TextEncoder().encode("RIFF"), new ByteWriter(4).u32(body.length).toBytes(), body]);
  const video = openAvi(file, "avi1.avi");
  assert.equal(video.frameCount, 2);
  assert.ok(difference(await video.readFrame(1), frames[1]).mean < 3);
});

Deno.test("zero-length chunks repeat the previous frame; a truncated tail keeps the complete frames", async () => {
  const frames = syntheticFrames(3, W, H, 1);
  const base = writeAvi(frames, { width: W, height: H, channels: 1, fps: 25, codec: "DIB" });
  const layout = parseAviLayout(base, "x.avi");
  // Turn frame 1's chunk into a drop frame by zeroing its size field and moving on: rebuild the movi list.
  const data = layout.chunks.map((c) => base.subarray(c.offset, c.offset + c.size));
  const header = base.subarray(0, layout.chunks[0].offset - 8 - 12);
  const movi = chunk(
    "LIST",
    concat([
      new TextEncoder().encode("movi"),
      chunk("00db", data[0]),
      chunk("00db", new Uint8Array(0)),
      chunk("00db", data[2]),
    ]),
  );
  const body = concat([header.subarray(8), movi]);
  const file = concat([new TextEncoder().encode("RIFF"), new ByteWriter(4).u32(body.length).toBytes(), body]);
  const video = openAvi(file, "drop.avi");
  assert.equal(video.frameCount, 3);
  assert.deepEqual(await video.readFrame(1), await video.readFrame(0));

  const cut = openAvi(base.subarray(0, layout.chunks[2].offset + 10), "cut.avi");
  assert.equal(cut.frameCount, 2);
  assert.throws(() => openAvi(base.subarray(0, 100), "short.avi"), VideoError);
});

Deno.test("other AVI codecs are reported as needing ffmpeg, naming the FourCC", () => {
  const base = writeAvi(syntheticFrames(1, W, H, 1), { width: W, height: H, channels: 1, fps: 25 });
  const text = new TextDecoder("latin1").decode(base);
  const divx = base.slice();
  for (let at = text.indexOf("MJPG"); at >= 0; at = text.indexOf("MJPG", at + 1)) {
    divx.set([0x44, 0x49, 0x56, 0x58], at);
  }
  assert.throws(() => openAvi(divx, "divx.avi"), /AVI codec 'DIVX' needs ffmpeg/);
});
