import assert from "node:assert/strict";
import { openClipCache, writeAvi } from "@echojepa/video";

const PREPARE = new URL("./prepare.ts", import.meta.url).pathname;
const INFO = new URL("./info.ts", import.meta.url).pathname;

async function run(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", script, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { ECHOJEPA_PROGRESS: "1" }, // the bar is quiet on a pipe unless asked for
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("deno task prepare builds a cache from a folder, reports throughput, and skips a bad file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/videos`);
    for (let i = 0; i < 3; i++) {
      const frames = Array.from(
        { length: 12 },
        (_, t) => new Uint8Array(24 * 24).map((_, p) => (p * 3 + t * 9 + i) % 200),
      );
      await Deno.writeFile(
        `${dir}/videos/v${i}.avi`,
        writeAvi(frames, { width: 24, height: 24, channels: 1, fps: 30 }),
      );
    }
    await Deno.writeFile(`${dir}/videos/bad.dcm`, new Uint8Array(300));
    const result = await run(PREPARE, [
      `${dir}/videos`,
      "--out",
      `${dir}/cache`,
      "--frames",
      "4",
      "--size",
      "16",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.clips, 3);
    assert.equal(summary.skipped, 1);
    assert.ok(summary.clips_per_s > 0);
    assert.match(result.stderr, /prepare \[#+\] 4\/4/);
    const cache = openClipCache(`${dir}/cache`);
    assert.equal(cache.readClip(2).data.length, 4 * 16 * 16);
    cache.close();
    assert.ok(cache.index.clips.every((c) => c.split === undefined));
    // Running again resumes: nothing new to decode.
    const again = JSON.parse(
      (await run(PREPARE, [`${dir}/videos`, "--out", `${dir}/cache`, "--frames", "4", "--size", "16"]))
        .stdout,
    );
    assert.equal(again.new_clips, 0);
    assert.equal(again.resumed_sources, 4);
    // info on the folder: one line per file, exit status 1 because of the bad file.
    const info = await run(INFO, [`${dir}/videos`]);
    assert.equal(info.code, 1);
    const lines = info.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.equal(lines.filter((l) => l.error).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task prepare --assign-splits labels every clip with a split by group", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (let s = 0; s < 4; s++) {
      await Deno.mkdir(`${dir}/videos/study${s}`, { recursive: true });
      const frames = Array.from({ length: 6 }, (_, t) => new Uint8Array(16 * 16).fill(40 + t * 10 + s));
      for (const v of [0, 1]) {
        await Deno.writeFile(
          `${dir}/videos/study${s}/v${v}.avi`,
          writeAvi(frames, { width: 16, height: 16, channels: 1, fps: 30 }),
        );
      }
    }
    const args = [
      `${dir}/videos`,
      "--out",
      `${dir}/cache`,
      "--frames",
      "2",
      "--size",
      "8",
      "--assign-splits",
      "0.5,0.25",
    ];
    const result = await run(PREPARE, args);
    assert.equal(result.code, 0, result.stderr);
    const cache = openClipCache(`${dir}/cache`);
    assert.equal(cache.length, 8);
    for (const clip of cache.index.clips) {
      assert.ok(["train", "val", "test"].includes(clip.split!));
      const sibling = cache.index.clips.find((c) => c.group === clip.group && c !== clip)!;
      assert.equal(sibling.split, clip.split, "videos of one study share a split");
    }
    cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
