import assert from "node:assert/strict";
import { phantomSamples } from "./phantom_samples.ts";
import { segmentInputs } from "@echojepa/augment";
import { type ClipSettings, loadFileClip, manifestSamples } from "./samples.ts";
import { writeTinyDataset } from "./testing.ts";

const settings: ClipSettings = {
  frames: 4,
  fps: null,
  frameStep: 2,
  segments: 2,
  resolution: 32,
  sector: true,
};

Deno.test("samples: manifests by split, labels and studies; segments decoded back to back; model inputs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = await writeTinyDataset(dir);
    const list = (await Deno.readTextFile(`${data}/FileList.csv`)).trim().split("\n").slice(1);
    const train = await manifestSamples(`${data}/FileList.csv`, settings, {
      split: "train",
      requireLabels: true,
    });
    assert.equal(train.length, list.filter((l) => l.endsWith(",TRAIN")).length);
    const first = list.find((l) => l.endsWith(",TRAIN"))!.split(",");
    assert.equal(train[0].study, first[0]); // EchoNet: one study per file stem
    assert.equal(train[0].label, Number(first[1]));
    const esv = await manifestSamples(`${data}/FileList.csv`, settings, {
      split: "train",
      labelColumn: "ESV",
    });
    assert.equal(esv[0].label, Number(first[2]));
    await assert.rejects(
      () => manifestSamples(`${data}/FileList.csv`, settings, { split: "holdout" }),
      /no rows of split "holdout" \(splits: /,
    );
    await assert.rejects(
      () => manifestSamples(`${data}/rvsp_train.csv`, settings),
      /has 2 views; this tool reads/,
    );
    await assert.rejects(
      () => manifestSamples(`${data}/missing.csv`, settings),
      /missing\.csv does not exist/,
    );
    const views = await manifestSamples(`${data}/views_train.csv`, settings);
    assert.equal(views[0].study, `${data}/Videos`); // no study column: the file's folder

    const clip = await loadFileClip(train[0].id, settings);
    assert.equal(clip.shape[0], 8);
    assert.equal(clip.data.length, 8 * clip.shape[1] * clip.shape[2]);
    const inputs = segmentInputs(clip, settings);
    assert.equal(inputs.length, 2);
    for (const x of inputs) assert.equal(x.length, 3 * 4 * 32 * 32);
    // The two windows come from different parts of the video.
    assert.notDeepEqual(inputs[0], inputs[1]);
    assert.throws(() => segmentInputs(clip, { ...settings, segments: 1 }), /clip has 8 frames, expected 1×4/);
    await assert.rejects(() => loadFileClip(`${data}/nope.avi`, settings), /nope\.avi/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("samples: phantom patients split by patient, labelled by view or EF", async () => {
  const s = { ...settings, segments: 1 };
  const ef = phantomSamples(5, "ef", s, { size: 32, workers: 1 });
  assert.deepEqual([ef.train.length, ef.val.length, ef.test.length], [3, 1, 1]);
  const patients = (xs: typeof ef.train) => new Set(xs.map((x) => x.study));
  for (const p of patients(ef.test)) assert.ok(!patients(ef.train).has(p));
  assert.ok(ef.train.every((x) => x.label! > 0 && x.label! < 100));
  const clip = await ef.train[0].load();
  assert.deepEqual(clip.shape, [4, 32, 32]);
  const views = phantomSamples(5, "view", s, { size: 16 });
  assert.equal(views.train.length, 3 * 13);
  assert.deepEqual([...new Set(views.train.map((x) => x.label))].sort((a, b) => a! - b!), [
    ...Array(13).keys(),
  ]);
  // Labels come from the plan; rendering (here on worker threads) gives clips with the same labels.
  const rendered = await Promise.all(views.train.slice(0, 3).map((x) => x.load()));
  assert.deepEqual(rendered.map((c) => c.shape), [[4, 16, 16], [4, 16, 16], [4, 16, 16]]);
  views.close();
  const again = await views.train[13].load(); // after close: rendered on this thread
  assert.equal(again.data.length, 4 * 16 * 16);
  assert.throws(() => phantomSamples(4, "ef", s), /at least 5 patients/);
});

const SAMPLE_30FPS = "../shared/samples/pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm";
const hasSample30 = (() => {
  try {
    return Deno.statSync(SAMPLE_30FPS).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "samples: the 30.0003 fps DICOM sample loads at frame steps 1, 2 and 3 with exactly those steps",
  ignore: !hasSample30, // reason: the shared sample is not on this machine
  fn: async () => {
    const { clipFromVideo, openVideo, sampleClipIndices } = await import("@echojepa/video");
    const video = await openVideo(SAMPLE_30FPS, { channels: 1 });
    try {
      assert.ok(Math.abs(video.fps - 30) < 0.01 && video.fps !== 30, `fps ${video.fps}`);
      const clips: Uint8Array[] = [];
      for (const step of [1, 2, 3]) {
        const s: ClipSettings = { ...settings, frameStep: step, segments: 1, sector: false };
        const clip = await loadFileClip(SAMPLE_30FPS, s);
        assert.deepEqual(clip.shape.slice(0, 1), [4]);
        clips.push(clip.data);
        const loaded = await clipFromVideo(video, {
          framesPerClip: 4,
          frameStep: step,
          end: 20,
          maskSector: false,
        });
        assert.equal(loaded.frameStep, step);
        const expected = sampleClipIndices(video.frameCount, { frameStep: step, framesPerClip: 4, end: 20 });
        assert.deepEqual(loaded.indices, expected);
      }
      assert.notDeepEqual(clips[0], clips[1]);
      assert.notDeepEqual(clips[1], clips[2]);
      // By rate: 30 fps → step 1, 15 → 2, 10 → 3, through the same rounding frameStepForFps applies.
      for (const [fps, step] of [[30, 1], [15, 2], [10, 3]]) {
        const s: ClipSettings = { ...settings, fps, segments: 1, sector: false };
        const clip = await loadFileClip(SAMPLE_30FPS, s);
        assert.deepEqual(clip.data, clips[step - 1], `--fps ${fps}`);
      }
    } finally {
      video.close();
    }
  },
});
