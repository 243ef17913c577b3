import assert from "node:assert/strict";
import { loadManifest, openVideo } from "@echojepa/video";
import { writeDataset } from "./write_dataset.ts";

Deno.test("writeDataset writes AVIs, DICOM studies, FileList.csv and manifests that the video package reads", async () => {
  const out = await Deno.makeTempDir({ prefix: "phantom-ds-" });
  try {
    const summary = await writeDataset({
      out,
      patients: 4,
      seed: 3,
      views: ["A4C", "Subcostal"],
      frames: 3,
      height: 32,
      width: 32,
      workers: 1,
      dicom: true,
      splitFractions: [0.5, 0.25, 0.25],
    });
    assert.equal(summary.clips, 8);
    assert.deepEqual(summary.perSplit, { train: 4, val: 2, test: 2 });
    const fileList = await Deno.readTextFile(`${out}/FileList.csv`);
    assert.equal(
      fileList.split("\n")[0],
      "FileName,EF,ESV,EDV,FrameHeight,FrameWidth,FPS,NumberOfFrames,Split",
    );
    const echonet = await loadManifest(out);
    assert.equal(echonet.length, 4, "FileList lists the A4C clips");
    const avi = await openVideo(echonet[0].paths[0]!);
    assert.equal(avi.frameCount, 3);
    assert.equal(avi.width, 32);
    avi.close();
    const rvsp = await loadManifest(`${out}/rvsp_train.csv`);
    assert.equal(rvsp.length, 2);
    assert.equal(rvsp[0].paths.length, 2);
    const views = await loadManifest(`${out}/views_test.csv`);
    assert.deepEqual(views.map((e) => e.label).sort((a, b) => a! - b!), [2, 11]);
    const labels = (await Deno.readTextFile(`${out}/labels.csv`)).trim().split("\n");
    assert.equal(labels.length, 9);
    const patient = labels[1].split(",")[3];
    const dcm = await openVideo(`${out}/dicom/${patient}/A4C_0.dcm`);
    assert.equal(dcm.frameCount, 3);
    dcm.close();
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
