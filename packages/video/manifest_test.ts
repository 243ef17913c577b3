import assert from "node:assert/strict";
import {
  assignSplits,
  formatReferenceCsv,
  loadManifest,
  parseEchoNetFileList,
  parseReferenceCsv,
  scanDirectory,
} from "./manifest.ts";

Deno.test("parseReferenceCsv reads labels, z-scores and multi-view rows with MISS", () => {
  const entries = parseReferenceCsv("a.mp4 3\n/abs/b.mp4 -0.25\n\n# note\nv1.mp4 MISS 7\n", "/data");
  assert.deepEqual(entries, [
    { paths: ["/data/a.mp4"], label: 3 },
    { paths: ["/abs/b.mp4"], label: -0.25 },
    { paths: ["/data/v1.mp4", null], label: 7 },
  ]);
  assert.equal(formatReferenceCsv([{ paths: ["x.avi", null], label: 1 }]), "x.avi MISS 1\n");
  assert.throws(() => parseReferenceCsv("a.mp4 cat\n"), /line 1: label 'cat' is not a number/);
  assert.throws(() => parseReferenceCsv("MISS MISS 1\n"), /every view is MISS/);
});

Deno.test("parseEchoNetFileList reads EchoNet-Dynamic columns", () => {
  const text = "FileName,EF,ESV,EDV,FrameHeight,FrameWidth,FPS,NumberOfFrames,Split\n" +
    "0X4724EF4A6021488E,67.02,45.77,138.80,112,112,50,289,TRAIN\n" +
    "0X10A28877E97DF540,40.5,80,134.5,112,112,50,201,val\n";
  const entries = parseEchoNetFileList(text, { videosDir: "/d/Videos" });
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0].paths, ["/d/Videos/0X4724EF4A6021488E.avi"]);
  assert.equal(entries[0].label, 67.02);
  assert.equal(entries[0].split, "train");
  assert.equal(entries[0].extra?.FPS, 50);
  assert.equal(entries[0].extra?.NumberOfFrames, 289);
  assert.equal(entries[1].split, "val");
  assert.equal(entries[0].group, "0X4724EF4A6021488E");
  const pediatric = parseEchoNetFileList("FileName,EF,Split\nCR32a-7791-1.avi,61.2,3\n", { videosDir: "V" });
  assert.deepEqual(pediatric[0], {
    paths: ["V/CR32a-7791-1.avi"],
    group: "CR32a",
    label: 61.2,
    split: "3",
    extra: { EF: 61.2 },
  });
});

Deno.test("assignSplits is deterministic and keeps groups together", () => {
  const entries = Array.from(
    { length: 300 },
    (_, i) => ({ paths: [`v${i}.avi`], group: `patient${i % 60}` }),
  );
  const a = assignSplits(entries, { train: 0.7, val: 0.15 }, 1);
  const b = assignSplits([...entries].reverse(), { train: 0.7, val: 0.15 }, 1).reverse();
  assert.deepEqual(a, b);
  const byGroup = new Map<string, string>();
  for (const e of a) {
    const seen = byGroup.get(e.group!);
    if (seen) assert.equal(e.split, seen);
    byGroup.set(e.group!, e.split!);
  }
  const counts = { train: 0, val: 0, test: 0 } as Record<string, number>;
  for (const split of byGroup.values()) counts[split]++;
  assert.ok(counts.train > 30 && counts.val > 2 && counts.test > 2, JSON.stringify(counts));
});

Deno.test("scanDirectory and loadManifest find videos, sniff extensionless DICOM, and read EchoNet folders", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/s1`);
    await Deno.writeFile(`${dir}/s1/b.avi`, new Uint8Array(4));
    await Deno.writeFile(`${dir}/s1/a.dcm`, new Uint8Array(4));
    const dicm = new Uint8Array(140);
    dicm.set([0x44, 0x49, 0x43, 0x4d], 128);
    await Deno.writeFile(`${dir}/s1/IM0001`, dicm);
    await Deno.writeFile(`${dir}/notes.txt`, new Uint8Array(4));
    const entries = await scanDirectory(dir);
    assert.deepEqual(entries.map((e) => e.paths[0]!.slice(dir.length)), [
      "/s1/IM0001",
      "/s1/a.dcm",
      "/s1/b.avi",
    ]);
    assert.equal(entries[0].group, "s1");

    await Deno.writeTextFile(`${dir}/FileList.csv`, "FileName,EF,Split\nX1,55,TEST\n");
    const echonet = await loadManifest(dir);
    assert.deepEqual(echonet[0].paths, [`${dir}/Videos/X1.avi`]);
    await Deno.writeTextFile(`${dir}/train.csv`, "s1/a.dcm 2\n");
    assert.deepEqual((await loadManifest(`${dir}/train.csv`))[0].paths, [`${dir}/s1/a.dcm`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
