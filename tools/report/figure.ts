/**
 * The report's figure model: an SVG chart with its title and a caption computed from the data, or a note saying what
 * data is missing.
 *
 * @module
 */

/** One figure of the report. */
export interface Figure {
  /** Anchor id in the page and the PNG's file name (`<id>.png`). */
  id: string;
  title: string;
  /** The chart as a standalone SVG document; absent when the data is missing. */
  svg?: string;
  caption: string;
  /** Set instead of `svg` when there is nothing to draw yet: says what is missing. */
  missing?: string;
}

/** Averages `values` into at most `maxPoints` equal buckets, keeping each bucket's centre index (for long curves). */
export function downsample(values: readonly number[], maxPoints: number): { index: number; value: number }[] {
  const bucket = Math.max(1, Math.ceil(values.length / maxPoints));
  const out: { index: number; value: number }[] = [];
  for (let start = 0; start < values.length; start += bucket) {
    const slice = values.slice(start, start + bucket).filter((v) =>
      typeof v === "number" && Number.isFinite(v)
    );
    if (slice.length === 0) continue;
    out.push({
      index: start + (Math.min(bucket, values.length - start) - 1) / 2,
      value: slice.reduce((a, b) => a + b, 0) / slice.length,
    });
  }
  return out;
}
