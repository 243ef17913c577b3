/**
 * Worker thread for parallel cache builds: decodes the clips of one source per message with
 * {@link loadSourceClips} and posts them back, transferring the pixel buffers.
 * @module
 */
import { loadSourceClips } from "./clip_cache_build.ts";
import type { PrepareSettings } from "./clip_cache_format.ts";

/** The worker global scope, typed just enough for what is used here. */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<{ id: number; path: string; settings: PrepareSettings }>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};

scope.onmessage = async (event) => {
  const { id, path, settings } = event.data;
  const result = await loadSourceClips(path, settings);
  const transfer = result.ok ? result.clips.map((c) => c.data.buffer as ArrayBuffer) : [];
  scope.postMessage({ id, result }, transfer);
};
