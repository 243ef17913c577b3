/// <reference lib="deno.worker" />
/**
 * Worker of the throughput benchmark: builds its own synthetic clip, then runs the requested transform for the
 * requested time and reports how many clips it produced.
 *
 * @module
 */

import { Random } from "@echojepa/core";
import { evalTransform, trainTransform } from "../video_transform.ts";
import { syntheticEchoClip } from "./synthetic_clip.ts";

/** Message the benchmark sends to a worker. */
export interface WorkRequest {
  transform: "train" | "eval";
  channels: 1 | 3;
  frames: number;
  height: number;
  width: number;
  cropSize: number;
  seconds: number;
  seed: number;
}

self.onmessage = (event: MessageEvent<WorkRequest>) => {
  const r = event.data;
  const clip = syntheticEchoClip(r.frames, r.height, r.width, r.channels, r.seed);
  const rng = Random.from(r.seed);
  const run = (): void => {
    if (r.transform === "train") trainTransform(clip, rng, { cropSize: r.cropSize });
    else evalTransform(clip, { cropSize: r.cropSize });
  };
  for (let i = 0; i < 10; i++) run(); // warm-up (JIT)
  let clips = 0;
  const start = performance.now();
  const end = start + r.seconds * 1000;
  while (performance.now() < end) {
    run();
    clips++;
  }
  self.postMessage({ clips, ms: performance.now() - start });
};
