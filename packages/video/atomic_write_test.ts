import assert from "node:assert/strict";
import { FileWriteError, writeFileAtomic } from "./atomic_write.ts";

/** A temporary file that is a link to /dev/full: every write to it fails with ENOSPC, as on a full disk. */
async function fullDiskAt(path: string): Promise<boolean> {
  try {
    await Deno.stat("/dev/full");
  } catch {
    return false;
  }
  await Deno.symlink("/dev/full", path);
  return true;
}

Deno.test("writeFileAtomic writes bytes, text and through a writer, leaving no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/a.bin`, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(`${dir}/b.txt`, "hello");
    await writeFileAtomic(`${dir}/c.bin`, (tmp) => Deno.writeFile(tmp, new Uint8Array([9])));
    assert.deepEqual([...await Deno.readFile(`${dir}/a.bin`)], [1, 2, 3]);
    assert.equal(await Deno.readTextFile(`${dir}/b.txt`), "hello");
    assert.deepEqual([...await Deno.readFile(`${dir}/c.bin`)], [9]);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["a.bin", "b.txt", "c.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a full disk during writeFileAtomic keeps the old file, removes the partial one, says so in one line",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/shard-0.bin`;
      await Deno.writeFile(path, new Uint8Array([7, 7]));
      if (!await fullDiskAt(`${path}.tmp`)) return console.warn("skipped: no /dev/full");
      const error = await writeFileAtomic(path, new Uint8Array(1 << 20), `${path}.tmp`).then(
        () => null,
        (e) => e,
      );
      assert.ok(error instanceof FileWriteError, String(error));
      assert.equal(error.code, "ENOSPC");
      assert.equal(error.message, `could not write ${path}: the disk is full; no partial file was left`);
      assert.ok(!error.message.includes("\n"));
      assert.deepEqual([...await Deno.readFile(path)], [7, 7]); // the previous content
      await assert.rejects(Deno.lstat(`${path}.tmp`), Deno.errors.NotFound);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
