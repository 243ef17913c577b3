/// <reference lib="deno.worker" />
/**
 * Worker side of {@link AugmentPool}: rebuilds the random source from the job's seed tuple, runs the transform and
 * sends the float32 result back by transfer.
 *
 * @module
 */

import type { AugmentJob } from "./pool.ts";
import { probeTrainTransform } from "./probe_transform.ts";
import { Random, reviveClip } from "@echojepa/core";
import { evalTransform, trainTransform } from "./video_transform.ts";

self.onmessage = (event: MessageEvent<{ id: number; job: AugmentJob }>) => {
  const { id, job } = event.data;
  try {
    const rng = Random.from(...job.seed);
    // Structured cloning keeps the clip's fields but not its ndarray prototype.
    const clip = reviveClip(job.clip, "AugmentPool");
    const result = job.kind === "eval"
      ? evalTransform(clip, job.options)
      : job.kind === "probe"
      ? probeTrainTransform(clip, rng, job.options)
      : trainTransform(clip, rng, job.options);
    self.postMessage({ id, result }, [result.data.buffer as ArrayBuffer]);
  } catch (error) {
    self.postMessage({
      id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
};
