/**
 * Frame timing of a DICOM cine: FrameIncrementPointer → FrameTime or FrameTimeVector, else FrameTime,
 * FrameTimeVector, CineRate, RecommendedDisplayFrameRate, in that order; 30 fps when nothing is stated.
 * @module
 */
import type dicomParser from "dicom-parser";

/** Timing derived from a DICOM dataset. */
export interface DicomTiming {
  /** Average frames per second. */
  fps: number;
  /** Duration in seconds (frames / fps, or the sum of frame times). */
  durationS: number;
  /** Per-frame durations (ms) when the file gives a FrameTimeVector with varying values. */
  frameTimesMs?: number[];
  /** Which attribute the rate came from. */
  source: "FrameTime" | "FrameTimeVector" | "CineRate" | "RecommendedDisplayFrameRate" | "default";
}

/** Frame rate assumed when a file states none (the rate EchoJEPA's conversion writes). */
export const DEFAULT_FPS = 30;

function numbers(ds: dicomParser.DataSet, tag: string): number[] {
  const text = ds.string(tag);
  if (!text) return [];
  return text.split("\\").map((v) => parseFloat(v)).filter((v) => Number.isFinite(v));
}

/** Reads the frame timing of a dataset with `frameCount` frames. */
export function readDicomTiming(ds: dicomParser.DataSet, frameCount: number): DicomTiming {
  const pointer = ds.elements.x00280009 ? ds.attributeTag("x00280009") : undefined;
  const fromFrameTime = (): DicomTiming | undefined => {
    const ms = numbers(ds, "x00181063")[0];
    if (!(ms > 0)) return undefined;
    return { fps: 1000 / ms, durationS: (frameCount * ms) / 1000, source: "FrameTime" };
  };
  const fromVector = (): DicomTiming | undefined => {
    let times = numbers(ds, "x00181065");
    if (times.length === 0) return undefined;
    // The first increment is usually 0 (no frame before the first); average over the real increments.
    const increments = times[0] === 0 && times.length > 1 ? times.slice(1) : times;
    const mean = increments.reduce((s, v) => s + v, 0) / increments.length;
    if (!(mean > 0)) return undefined;
    if (times[0] === 0) times = [mean, ...increments];
    const varies = times.some((t) => Math.abs(t - times[0]) > 1e-6);
    return {
      fps: 1000 / mean,
      durationS: (frameCount * mean) / 1000,
      source: "FrameTimeVector",
      ...(varies && times.length === frameCount ? { frameTimesMs: times } : {}),
    };
  };
  const fromRate = (tag: string, source: DicomTiming["source"]): DicomTiming | undefined => {
    const rate = numbers(ds, tag)[0];
    return rate > 0 ? { fps: rate, durationS: frameCount / rate, source } : undefined;
  };
  const ordered = pointer === "x00181065" ? [fromVector, fromFrameTime] : [fromFrameTime, fromVector];
  for (const read of ordered) {
    const timing = read();
    if (timing) return timing;
  }
  return fromRate("x00180040", "CineRate") ??
    fromRate("x00082144", "RecommendedDisplayFrameRate") ??
    { fps: DEFAULT_FPS, durationS: frameCount / DEFAULT_FPS, source: "default" };
}
