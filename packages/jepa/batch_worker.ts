/**
 * Worker entry point of {@link WorkerBatchLoader}: builds pretraining batches off the main thread.
 *
 * Messages in: `{ type: "init", data, seed, batchSize }` once, then `{ type: "build", step }`.
 * Messages out: `{ type: "batch", step, data, shape, clipIndices }` (the data buffer is transferred) or
 * `{ type: "error", step, message }`.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import type { DataConfig } from "./config.ts";
import { buildBatch, type ClipSource, sourceFromConfig } from "./data.ts";

let source: Promise<ClipSource> | null = null;
let data: DataConfig;
let seed = 0;
let batchSize = 1;

self.onmessage = async (e: MessageEvent) => {
  const msg = e.data as { type: "init"; data: DataConfig; seed: number; batchSize: number } | {
    type: "build";
    step: number;
  };
  if (msg.type === "init") {
    data = msg.data;
    seed = msg.seed;
    batchSize = msg.batchSize;
    source = sourceFromConfig(data, seed);
    return;
  }
  try {
    if (!source) throw new Error("batch worker: build before init");
    const batch = await buildBatch(await source, data, batchSize, seed, msg.step);
    self.postMessage({ type: "batch", step: msg.step, ...batch }, [batch.data.buffer as ArrayBuffer]);
  } catch (err) {
    self.postMessage({ type: "error", step: msg.step, message: (err as Error).message ?? String(err) });
  }
};
