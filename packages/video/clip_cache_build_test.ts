import assert from "node:assert/strict";
import { writeAvi } from "./avi_writer.ts";
import { writeDicom } from "./dicom_writer.ts";
import { prepareClipCache } from "./clip_cache_build.ts";
import { ClipCacheError, parseCacheIndex, shardName } from "./clip_cache_format.ts";
import { openClipCache } from "./clip_cache_reader.ts";
import { syntheticFrames } from "./test_util.ts";
import type { ManifestEntry } from "./manifest.ts";

async function makeFolder(): Promise<{ dir: string; entries: ManifestEntry[] }> {
  const dir = await Deno.makeTempDir();
  const entries: ManifestEntry[] = [];
  for (let i = 0; i < 5; i++) {
    const frames = syntheticFrames(20 + i, 40, 32, 1);
    const path = `${dir}/v${i}.${i % 2 ? "dcm" : "avi"}`;
    const bytes = i % 2
      ? writeDicom(frames, { width: 40, height: 32, channels: 1, fps: 30, transferSyntax: "rle" })
      : writeAvi(frames, { width: 40, height: 32, channels: 1, fps: 30 });
    await Deno.writeFile(path, bytes);
    entries.push({ paths: [path], label: i, split: "train" });
  }
  await Deno.writeFile(`${dir}/broken.avi`, new TextEncoder().encode("RIFF\x10\0\0\0AVI junk"));
  entries.push({ paths: [`${dir}/broken.avi`, null], label: 9 });
  return { dir, entries };
}

Deno.test("prepareClipCache writes shards and an index that openClipCache reads back", async () => {
  const { dir, entries } = await makeFolder();
  try {
    const progress: number[] = [];
    const summary = await prepareClipCache(entries, `${dir}/cache`, {
      framesPerClip: 8,
      size: 16,
      targetFps: 15,
      shardSize: 2,
      onProgress: (p) => progress.push(p.done),
    });
    assert.equal(summary.clips, 5);
    assert.equal(summary.skipped, 1);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
    const cache = openClipCache(`${dir}/cache`);
    assert.equal(cache.length, 5);
    assert.equal(cache.index.shards.length, 3);
    assert.equal(cache.index.skipped[0].kind, "truncated");
    const clip = cache.readClip(3);
    assert.equal(clip.data.length, 8 * 16 * 16);
    assert.equal(cache.index.clips[3].label, 3);
    const batch = cache.readClips([3, 0]);
    assert.deepEqual(batch.shape, [16, 16, 16]);
    assert.deepEqual(batch.data.subarray(0, clip.data.length), clip.data);
    // 30 fps video at 15 fps → step 2: consecutive indices two apart.
    const indices = cache.index.clips[3].indices;
    assert.equal(indices[1] - indices[0], 2);
    cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareClipCache resumes: finished shards are kept and only the rest is decoded", async () => {
  const { dir, entries } = await makeFolder();
  try {
    const options = { framesPerClip: 4, size: 8, shardSize: 2 };
    await prepareClipCache(entries.slice(0, 3), `${dir}/cache`, options); // "interrupted" after 3 sources
    const before = await Deno.readFile(`${dir}/cache/${shardName(0)}`);
    const summary = await prepareClipCache(entries, `${dir}/cache`, options);
    assert.equal(summary.resumed, 3);
    assert.equal(summary.newClips, 2);
    assert.equal(summary.clips, 5);
    assert.deepEqual(await Deno.readFile(`${dir}/cache/${shardName(0)}`), before);
    await assert.rejects(
      () => prepareClipCache(entries, `${dir}/cache`, { ...options, size: 12 }),
      ClipCacheError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseCacheIndex rejects wrong or inconsistent indexes with a ClipCacheError", () => {
  assert.throws(() => parseCacheIndex("{", "i.json"), /not JSON/);
  assert.throws(() => parseCacheIndex("{}", "i.json"), /not a clip cache index/);
  const bad = {
    format: "echojepa-clip-cache",
    version: 1,
    clip: { frames: 2, height: 2, width: 2, channels: 1 },
    options: {},
    shards: [1],
    clips: [{ shard: 0, slot: 3 }],
    skipped: [],
    complete: true,
  };
  assert.throws(() => parseCacheIndex(JSON.stringify(bad), "i.json"), /clip 0 points outside/);
});

Deno.test("prepareClipCache with worker threads writes the same cache as without", async () => {
  const { dir, entries } = await makeFolder();
  try {
    const options = { framesPerClip: 4, size: 8, shardSize: 3, targetFps: 10 };
    await prepareClipCache(entries, `${dir}/one`, options);
    const summary = await prepareClipCache(entries, `${dir}/two`, { ...options, workers: 2 });
    assert.equal(summary.clips, 5);
    assert.equal(summary.skipped, 1);
    for (const name of [shardName(0), shardName(1), "index.json"]) {
      assert.deepEqual(
        await Deno.readFile(`${dir}/two/${name}`),
        await Deno.readFile(`${dir}/one/${name}`),
        name,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
