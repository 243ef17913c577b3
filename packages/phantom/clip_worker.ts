/**
 * Worker entry point of {@linkcode PhantomWorkerPool}: renders clip specs or seeds sent by the pool.
 * Not part of the public API.
 * @module
 */

import type { ClipRequest } from "./worker_pool.ts";
import { generateClip } from "./clip.ts";
import { renderClipSpec } from "./dataset.ts";

declare const self: {
  onmessage: ((e: MessageEvent<ClipRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

self.onmessage = (e: MessageEvent<ClipRequest>) => {
  const req = e.data;
  try {
    const clip = req.spec ? renderClipSpec(req.spec, req.options) : generateClip(req.seed ?? 0, req.options);
    self.postMessage({ id: req.id, clip }, [
      clip.frames.data.buffer as ArrayBuffer,
      clip.phases.buffer as ArrayBuffer,
      clip.lvVolumes.buffer as ArrayBuffer,
      clip.sectorMask.buffer as ArrayBuffer,
    ]);
  } catch (err) {
    self.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) });
  }
};
