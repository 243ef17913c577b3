import assert from "node:assert/strict";
import { openDicom } from "./dicom_reader.ts";
import { openVideo } from "./open_video.ts";
import { writeDicom } from "./dicom_writer.ts";
import { VideoError } from "./errors.ts";
import { difference, syntheticFrames } from "./test_util.ts";

const W = 20;
const H = 10;

/** Replaces the first occurrence of an ASCII string of the same length inside a file. */
function patchAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  assert.equal(from.length, to.length);
  const text = new TextDecoder("latin1").decode(bytes);
  const at = text.indexOf(from);
  assert.ok(at >= 0, `${from} not found`);
  const out = bytes.slice();
  for (let i = 0; i < to.length; i++) out[at + i] = to.charCodeAt(i);
  return out;
}

Deno.test("an unsupported transfer syntax is an error naming its UID and name", () => {
  const bytes = writeDicom(syntheticFrames(2, W, H, 1), {
    width: W,
    height: H,
    channels: 1,
    fps: 30,
    transferSyntax: "jpeg-baseline",
  });
  const j2k = patchAscii(bytes, "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.90");
  assert.throws(
    () => openDicom(j2k, "j2k.dcm"),
    (e: unknown) =>
      e instanceof VideoError && e.kind === "unsupported" &&
      /1\.2\.840\.10008\.1\.2\.4\.90/.test(e.message) &&
      /jpeg-2000-lossless/.test(e.message) && e.file === "j2k.dcm",
  );
});

Deno.test("an unsupported photometric interpretation is an error naming it", () => {
  const bytes = writeDicom(syntheticFrames(1, W, H, 3), { width: W, height: H, channels: 3, fps: 30 });
  assert.throws(
    () => openDicom(patchAscii(bytes, "RGB ", "CMYK"), "cmyk.dcm"),
    /photometric interpretation 'CMYK'/,
  );
});

Deno.test("errors and metadata never carry patient-identifying values", () => {
  const bytes = writeDicom(syntheticFrames(3, W, H, 1), {
    width: W,
    height: H,
    channels: 1,
    fps: 30,
    patientName: "ROE^RICHARD",
    patientId: "ID-998877",
  });
  const video = openDicom(bytes, "phi.dcm");
  assert.doesNotMatch(JSON.stringify(video), /ROE|RICHARD|998877/);
  for (const cut of [200, 400, bytes.length - 7]) {
    try {
      openDicom(bytes.slice(0, cut), "phi.dcm");
    } catch (error) {
      assert.ok(error instanceof VideoError);
      assert.doesNotMatch(error.message, /ROE|RICHARD|998877/);
    }
  }
});

Deno.test("big-endian 8-bit pixel data stored as OW is un-swapped in pairs", async () => {
  const frames = syntheticFrames(3, W + 1, H, 1); // odd frame size: pairs straddle frame boundaries
  const bytes = writeDicom(frames, {
    width: W + 1,
    height: H,
    channels: 1,
    fps: 30,
    transferSyntax: "explicit-be",
  });
  // Rewrite the Pixel Data element as OW with its bytes swapped pairwise, as big-endian writers do.
  const tag = [0x7f, 0xe0, 0x00, 0x10, 0x4f, 0x42]; // (7FE0,0010) "OB", big endian
  let at = -1;
  for (let i = 0; i < bytes.length - 6 && at < 0; i++) if (tag.every((b, k) => bytes[i + k] === b)) at = i;
  assert.ok(at > 0);
  const ow = bytes.slice();
  ow[at + 5] = 0x57; // "W"
  const start = at + 12;
  for (let p = start; p + 1 < ow.length; p += 2) [ow[p], ow[p + 1]] = [bytes[p + 1], bytes[p]];
  const video = openDicom(ow, "be-ow.dcm");
  for (let t = 0; t < 3; t++) {
    assert.equal(difference(await video.readFrame(t), frames[t]).max, 0, `frame ${t}`);
  }
});

Deno.test("a bare dataset without preamble and file meta (old exports) is read too", async () => {
  for (const transferSyntax of ["implicit-le", "explicit-le"] as const) {
    const frames = syntheticFrames(2, W, H, 1);
    const part10 = writeDicom(frames, { width: W, height: H, channels: 1, fps: 25, transferSyntax });
    // Skip the preamble, "DICM" and the file meta group (its length is the value of (0002,0000)).
    const metaLength = new DataView(part10.buffer).getUint32(132 + 8, true);
    const bare = part10.slice(132 + 12 + metaLength);
    const video = await openVideo(bare, { label: "bare" });
    assert.equal(video.format, "dicom");
    assert.equal(video.frameCount, 2);
    assert.equal(video.fps, 25);
    assert.equal(difference(await video.readFrame(1), frames[1]).max, 0);
  }
});
