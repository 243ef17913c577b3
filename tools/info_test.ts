import assert from "node:assert/strict";
import { writeAvi, writeDicom } from "@echojepa/video";
import { infoLine } from "./info.ts";

Deno.test("info prints ffprobe-like records and an error record for unreadable files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frames = Array.from({ length: 5 }, (_, t) => new Uint8Array(16 * 12).fill(t * 30));
    await Deno.writeFile(`${dir}/a.avi`, writeAvi(frames, { width: 16, height: 12, channels: 1, fps: 50 }));
    await Deno.writeFile(
      `${dir}/b.dcm`,
      writeDicom(frames, {
        width: 16,
        height: 12,
        channels: 1,
        fps: 25,
        patientName: "DOE^JANE",
        patientId: "MRN-12345",
        spacing: { xCm: 0.03, yCm: 0.03 },
      }),
    );
    await Deno.writeTextFile(`${dir}/c.txt`, "not a video");
    const avi = await infoLine(`${dir}/a.avi`, true);
    assert.deepEqual(
      { ...avi, file: "a" },
      {
        file: "a",
        format: "avi",
        codec: "MJPG",
        frames: 5,
        width: 16,
        height: 12,
        channels: 1,
        fps: 50,
        duration_s: 0.1,
      },
    );
    const dcm = await infoLine(`${dir}/b.dcm`, false);
    assert.equal(dcm.codec, "explicit-vr-little-endian");
    assert.deepEqual(dcm.spacing_cm, [0.03, 0.03]);
    // Patient-identifying values never reach the output.
    assert.doesNotMatch(JSON.stringify(dcm), /DOE|JANE|MRN-12345/);
    const bad = await infoLine(`${dir}/c.txt`, false);
    assert.equal(bad.error_kind, "unsupported");
    assert.match(bad.error!, /unknown container/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
