import assert from "node:assert/strict";
import { writeAvi } from "./avi_writer.ts";
import { countSkips, iterateClips, loadClip, loadClipOrSubstitute, type SkippedFile } from "./clip_loader.ts";
import { Random, rowMajorData } from "@echojepa/core";

/** A fake echo: a bright moving disc inside a static dark frame with a static "text" bar. */
function fakeEcho(frames: number, size: number): Uint8Array[] {
  return Array.from({ length: frames }, (_, t) => {
    const frame = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = x - size / 2, dy = y - size / 2;
        if (dx * dx + dy * dy < (size / 3) ** 2) frame[y * size + x] = 60 + ((x * 7 + y * 13 + t * 29) % 120);
        if (y < 3 && x < size / 2) frame[y * size + x] = 250; // static UI text bar
      }
    }
    return frame;
  });
}

Deno.test("loadClip samples at the target rate, masks the static UI and resizes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/echo.avi`;
    await Deno.writeFile(
      path,
      writeAvi(fakeEcho(60, 64), { width: 64, height: 64, channels: 1, fps: 30, codec: "DIB" }),
    );
    const loaded = await loadClip(path, {
      targetFps: 10,
      size: 32,
      random: new Random(1).source(),
      cropToSector: false,
    });
    assert.equal(loaded.frameStep, 3);
    assert.deepEqual(loaded.clip.shape, [16, 32, 32]);
    // The static bar (rows 0–2) is outside the moving sector and must be blanked.
    for (let x = 0; x < 16; x++) assert.equal(rowMajorData(loaded.clip)[x], 0);
    await assert.rejects(() => loadClip(path, { targetFps: 60 }), /below the requested 60 fps/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("iterateClips skips and counts bad files instead of stopping", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/good.avi`;
    await Deno.writeFile(good, writeAvi(fakeEcho(20, 32), { width: 32, height: 32, channels: 1, fps: 30 }));
    await Deno.writeFile(`${dir}/bad.dcm`, new Uint8Array(200));
    const skipped: SkippedFile[] = [];
    const entries = [{ paths: [good] }, { paths: [`${dir}/bad.dcm`, `${dir}/missing.avi`] }, {
      paths: [good],
    }];
    const clips = [];
    for await (const clip of iterateClips(entries, { size: 16 }, skipped)) clips.push(clip);
    assert.deepEqual(clips.map((c) => c.entryIndex), [0, 2]);
    assert.deepEqual(countSkips(skipped), { unsupported: 1, io: 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadClipOrSubstitute replaces a bad file by another entry, like the reference loader", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/good.avi`;
    await Deno.writeFile(good, writeAvi(fakeEcho(20, 32), { width: 32, height: 32, channels: 1, fps: 30 }));
    const entries = [{ paths: [`${dir}/missing.avi`] }, { paths: [null, good] }];
    const skipped: SkippedFile[] = [];
    const clip = await loadClipOrSubstitute(entries, 0, { size: 8 }, { random: () => 0.9, skipped });
    assert.equal(clip.entryIndex, 1);
    assert.equal(clip.view, 1);
    assert.equal(skipped.length, 1);
    await assert.rejects(
      () => loadClipOrSubstitute([entries[0]], 0, {}, { maxTries: 3 }),
      /3 files in a row could not be read/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
