/**
 * What every CPU-side package of EchoJEPA-TS shares, defined once: the host clip type ({@link Clip}, an
 * ndarray view; its layout is documented in clip.ts), the seeded random generator ({@link Random}), the progress bar ({@link ProgressBar}) and the base of the typed errors
 * ({@link EchoJepaError}). It depends on nothing of the project, so any package, `tensor` included, may import it.
 *
 * @example
 * ```ts
 * import { ProgressBar, Random } from "@echojepa/core";
 *
 * const rng = Random.from("clip-0001", "crop", 0); // the same numbers on every machine
 * const bar = new ProgressBar(3, { label: "work" }); // quiet unless stderr is a terminal
 * for (let i = 1; i <= 3; i++) bar.update(i, 3, `x ${rng.uniform(0, 1).toFixed(3)}`);
 * bar.finish();
 * ```
 *
 * @module
 */
export { deriveSeed, hashString, mix32, Random, type RandomSource, type SeedPart } from "./random.ts";
export { formatDuration, ProgressBar, type ProgressBarOptions } from "./progress.ts";
export { EchoJepaError } from "./errors.ts";
export {
  type Clip,
  type ClipData,
  type ClipDims,
  clipDims,
  clipShapeOf,
  emptyLike,
  isRowMajor,
  makeClip,
  reviveClip,
  rowMajorData,
} from "./clip.ts";
