import assert from "node:assert/strict";
import type dicomParser from "dicom-parser";
import { DEFAULT_FPS, readDicomTiming } from "./dicom_timing.ts";

/** A stand-in dataset holding only string attributes (and the frame increment pointer). */
function dataset(values: Record<string, string>, pointer?: string): dicomParser.DataSet {
  const elements: Record<string, unknown> = {};
  for (const tag of Object.keys(values)) elements[tag] = {};
  if (pointer) elements.x00280009 = {};
  return {
    elements,
    string: (tag: string) => values[tag],
    attributeTag: () => pointer,
  } as unknown as dicomParser.DataSet;
}

Deno.test("timing: FrameTime, else FrameTimeVector, CineRate, RecommendedDisplayFrameRate, else the default", () => {
  assert.deepEqual(readDicomTiming(dataset({ x00181063: "20" }), 10), {
    fps: 50,
    durationS: 0.2,
    source: "FrameTime",
  });
  const vector = readDicomTiming(dataset({ x00181065: "0\\40\\40\\40" }), 4);
  assert.equal(vector.source, "FrameTimeVector");
  assert.equal(vector.fps, 25);
  assert.equal(vector.frameTimesMs, undefined); // a leading 0 then constant increments: not variable
  assert.equal(readDicomTiming(dataset({ x00180040: "46" }), 4).fps, 46);
  assert.equal(readDicomTiming(dataset({ x00082144: "24" }), 4).source, "RecommendedDisplayFrameRate");
  assert.deepEqual(readDicomTiming(dataset({}), 3), { fps: DEFAULT_FPS, durationS: 0.1, source: "default" });
  assert.equal(readDicomTiming(dataset({ x00181063: "0" }), 3).source, "default"); // a zero time is ignored
});

Deno.test("timing: the frame increment pointer picks FrameTimeVector over FrameTime", () => {
  const ds = dataset({ x00181063: "20", x00181065: "30\\50\\40" }, "x00181065");
  const timing = readDicomTiming(ds, 3);
  assert.equal(timing.source, "FrameTimeVector");
  assert.deepEqual(timing.frameTimesMs, [30, 50, 40]);
  assert.equal(timing.fps, 25);
});
