/**
 * Streaming a data set clip by clip, for training loops that should not hold every clip in memory: worker
 * threads render ahead (a bounded prefetch window) while the consumer takes clips in a fixed order.
 */

import type { RenderedClip } from "./clip.ts";
import type { ClipSpec, DatasetOptions, Split } from "./dataset.ts";
import { clipOptionsOf, planDataset, renderClipSpec } from "./dataset.ts";
import { deriveSeed, Random } from "@echojepa/core";
import { PhantomWorkerPool } from "./worker_pool.ts";

/** Options of {@linkcode streamDataset}. */
export interface StreamOptions extends DatasetOptions {
  /** Only clips of this split (default: all, in plan order). */
  split?: Split;
  /** Shuffle the order with this seed (e.g. the epoch number); default: plan order. */
  shuffleSeed?: number;
  /** Clips rendered ahead of the consumer (default 2 × workers). */
  prefetch?: number;
}

/** One streamed clip with the spec it was rendered from. */
export interface StreamedClip {
  spec: ClipSpec;
  clip: RenderedClip;
}

/**
 * Yields the clips of a data set one at a time, rendered on `workers` threads (default: all cores; 1 renders in
 * this thread). The pool is closed when the loop ends or breaks.
 *
 * @example
 * ```ts
 * import { streamDataset } from "@echojepa/phantom";
 * for await (const { spec, clip } of streamDataset({ patients: 2, views: ["A4C"], split: "train", frames: 4 })) {
 *   console.log(spec.patientId, clip.labels.ef.toFixed(1));
 * }
 * ```
 */
export async function* streamDataset(options: StreamOptions): AsyncGenerator<StreamedClip, void, undefined> {
  let specs = planDataset(options);
  if (options.split) specs = specs.filter((s) => s.split === options.split);
  if (options.shuffleSeed !== undefined) {
    const rng = Random.from(deriveSeed(options.seed ?? 0, options.shuffleSeed, 0x5f));
    for (let i = specs.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [specs[i], specs[j]] = [specs[j], specs[i]];
    }
  }
  const clipOptions = clipOptionsOf(options);
  const workers = Math.min(options.workers ?? navigator.hardwareConcurrency ?? 2, Math.max(1, specs.length));
  if (workers <= 1) {
    for (const spec of specs) yield { spec, clip: renderClipSpec(spec, clipOptions) };
    return;
  }
  const pool = new PhantomWorkerPool(workers);
  const ahead = Math.max(1, options.prefetch ?? 2 * workers);
  const inFlight: Promise<RenderedClip>[] = [];
  try {
    let next = 0;
    for (let i = 0; i < specs.length; i++) {
      while (next < specs.length && next < i + ahead) {
        inFlight.push(pool.renderSpec(specs[next++], clipOptions));
      }
      const clip = await inFlight.shift()!;
      options.onProgress?.(i + 1, specs.length);
      yield { spec: specs[i], clip };
    }
  } finally {
    pool.close();
    // Pending renders reject on close; nobody awaits them any more.
    for (const p of inFlight) p.catch(() => {});
  }
}
