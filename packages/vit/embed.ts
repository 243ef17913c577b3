/**
 * Frozen-encoder embeddings: clips in, token or pooled features out, in batches, without a gradient tape.
 */

import { backend, concat, keep, mean, noGrad, slice, type Tensor, tensor, tidy } from "@echojepa/tensor";
import type { VisionTransformer } from "./vision_transformer.ts";

/** What {@link embedClips} returns per clip. */
export type Pooling = "tokens" | "mean";

/** Options of {@link embedClips}. */
export interface EmbedOptions {
  /** "tokens": `[B, N, D]` per clip; "mean": the token average `[B, D]` (default). */
  pooling?: Pooling;
  /** Clips per forward pass (default 8); bounds GPU memory. */
  batchSize?: number;
  /**
   * Blocks (0-based) whose normalised outputs to use instead of the last one; their features are concatenated
   * along the last axis in the order given (D·layers.length wide).
   */
  layers?: number[];
  /** Called after each batch with the clips done and the total (e.g. for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Encodes clips with a frozen model. `clips` is a tensor `[B, C, T, H, W]` (or one clip `[C, T, H, W]`), or host
 * arrays of one clip each (`C·T·H·W` values, shape given by `clipShape`), uploaded one batch at a time. Returns a
 * GPU tensor owned by the caller: `[B, D]` (mean pooling) or `[B, N, D]` (tokens); D is multiplied by
 * `layers.length` when `layers` is given.
 */
export async function embedClips(
  model: VisionTransformer,
  input: Tensor | Float32Array[],
  options: EmbedOptions & { clipShape?: [number, number, number, number] } = {},
): Promise<Tensor> {
  const { pooling = "mean", batchSize = 8, layers, onProgress, clipShape } = options;
  const clips = !Array.isArray(input) && input.rank === 4 ? input.view([1, ...input.shape]) : input;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`embedClips: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (pooling !== "mean" && pooling !== "tokens") {
    throw new RangeError(`embedClips: pooling must be "mean" or "tokens", got "${pooling}"`);
  }
  const total = Array.isArray(clips) ? clips.length : clips.shape[0];
  if (Array.isArray(clips)) {
    if (!clipShape) throw new Error("embedClips: pass clipShape [C, T, H, W] with host clip arrays");
    const n = clipShape.reduce((a, b) => a * b, 1);
    clips.forEach((c, i) => {
      if (c.length !== n) {
        throw new RangeError(`embedClips: clip ${i} has ${c.length} values, not [${clipShape}]`);
      }
    });
  } else if (clips.rank !== 5) {
    throw new RangeError(
      `embedClips: expected clips [B, C, T, H, W] or one clip [C, T, H, W], got [${clips.shape}]`,
    );
  }
  if (total === 0) throw new RangeError("embedClips: no clips");
  const parts: Tensor[] = [];
  try {
    for (let start = 0; start < total; start += batchSize) {
      const end = Math.min(start + batchSize, total);
      const features = noGrad(() =>
        tidy(() => {
          const batch = Array.isArray(clips)
            ? tensor(concatHost(clips.slice(start, end)), [end - start, ...clipShape!])
            : sliceBatch(clips, start, end);
          const outs = layers ? model.forwardLayers(batch, layers) : [model.forward(batch)];
          const joined = outs.length === 1 ? outs[0] : concat(outs, -1);
          return pooling === "mean" ? mean(joined, 1) : joined;
        })
      );
      parts.push(keep(features));
      // Let the GPU finish this batch before recording the next, so memory and progress stay truthful.
      await backend().sync();
      onProgress?.(end, total);
    }
    if (parts.length === 1) return parts[0];
    return noGrad(() => concat(parts, 0));
  } catch (e) {
    for (const p of parts) p.dispose();
    throw e;
  } finally {
    if (parts.length > 1) { for (const p of parts) if (!p.disposed) p.dispose(); }
    if (clips !== input) (clips as Tensor).dispose();
  }
}

function concatHost(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Clips start…end−1 of a batch tensor (a view of the whole tensor when that is all of it). */
function sliceBatch(clips: Tensor, start: number, end: number): Tensor {
  return start === 0 && end === clips.shape[0] ? clips.view(clips.shape) : slice(clips, 0, start, end);
}
