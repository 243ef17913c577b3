/**
 * Frozen features for probing: encode every clip once with a frozen encoder and keep the result on the host (and
 * optionally on disk), so probes with many settings train without re-running the encoder.
 *
 * A sample may span several clips (the reference splits a video into `num_segments` windows and concatenates their
 * tokens along the token axis); give them consecutively and set `segments`.
 */

import { type Tensor, tensor } from "@echojepa/tensor";
import { embedClips, type EmbedOptions, type VisionTransformer } from "@echojepa/vit";

/** Features of `count` samples, each `[tokens, dim]`, row-major in `data`. */
export interface FeatureSet {
  /** Number of samples. */
  count: number;
  /** Tokens per sample (1 for pooled vectors). */
  tokens: number;
  /** Feature width. */
  dim: number;
  /** `count · tokens · dim` values. */
  data: Float32Array;
}

/** Options of {@link extractFeatures}. */
export interface ExtractOptions extends Pick<EmbedOptions, "batchSize" | "layers" | "onProgress"> {
  /** "tokens" (attentive probes) or "mean" (one pooled vector per clip). Default "tokens". */
  pooling?: "tokens" | "mean";
  /** Consecutive clips per sample whose tokens are concatenated (default 1). */
  segments?: number;
}

/** Encodes host clips `[C, T, H, W]` with a frozen encoder and returns their features on the host. */
export async function extractFeatures(
  encoder: VisionTransformer,
  clips: Float32Array[],
  clipShape: [number, number, number, number],
  options: ExtractOptions = {},
): Promise<FeatureSet> {
  const { pooling = "tokens", segments = 1, ...rest } = options;
  if (clips.length % segments !== 0) {
    throw new RangeError(
      `extractFeatures: ${clips.length} clips do not split into samples of ${segments} segments`,
    );
  }
  const out = await embedClips(encoder, clips, { ...rest, pooling, clipShape });
  const data = (await out.toArray()) as Float32Array;
  const perClipTokens = pooling === "mean" ? 1 : out.shape[1];
  const dim = out.shape[out.rank - 1];
  out.dispose();
  // Consecutive clips of a sample are already adjacent in memory, so concatenation along tokens is a reshape.
  return { count: clips.length / segments, tokens: perClipTokens * segments, dim, data };
}

/** Copies the features of the given samples into one `[indices.length, tokens, dim]` array. */
export function gatherFeatures(set: FeatureSet, indices: number[]): Float32Array {
  const stride = set.tokens * set.dim;
  const out = new Float32Array(indices.length * stride);
  indices.forEach((s, j) => {
    if (s < 0 || s >= set.count) {
      throw new RangeError(`gatherFeatures: sample ${s} out of range (${set.count})`);
    }
    out.set(set.data.subarray(s * stride, (s + 1) * stride), j * stride);
  });
  return out;
}

/** The probe input of the given samples: tokens `[indices.length, tokens, dim]` (every probe's batch). */
export function tokenBatch(set: FeatureSet, indices: number[]): Tensor {
  return tensor(gatherFeatures(set, indices), [indices.length, set.tokens, set.dim]);
}

/** Concatenates feature sets of the same token layout along the sample axis (chunks encoded one after another). */
export function concatFeatureSets(parts: FeatureSet[]): FeatureSet {
  if (parts.length === 0) return { count: 0, tokens: 0, dim: 0, data: new Float32Array(0) };
  const { tokens, dim } = parts[0];
  const bad = parts.find((p) => p.tokens !== tokens || p.dim !== dim);
  if (bad) {
    throw new RangeError(`concatFeatureSets: ${bad.tokens}×${bad.dim} beside ${tokens}×${dim}`);
  }
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  parts.reduce((at, p) => (data.set(p.data, at), at + p.data.length), 0);
  return { count: parts.reduce((n, p) => n + p.count, 0), tokens, dim, data };
}

/**
 * Returns the features stored at `path` (`.f32` data + `.json` header) if its header's `key` matches, else
 * computes them with `compute`, stores them (atomically: temp file, then rename) and returns them.
 */
export async function cachedFeatures(
  path: string,
  key: string,
  compute: () => Promise<FeatureSet>,
): Promise<FeatureSet> {
  try {
    const header = JSON.parse(await Deno.readTextFile(`${path}.json`));
    if (header.key === key) {
      const bytes = await Deno.readFile(`${path}.f32`);
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      if (data.length === header.count * header.tokens * header.dim) {
        return { count: header.count, tokens: header.tokens, dim: header.dim, data };
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) && !(e instanceof SyntaxError)) throw e;
  }
  const set = await compute();
  await Deno.writeFile(
    `${path}.f32.tmp`,
    new Uint8Array(set.data.buffer, set.data.byteOffset, set.data.byteLength),
  );
  await Deno.rename(`${path}.f32.tmp`, `${path}.f32`);
  const header = { key, count: set.count, tokens: set.tokens, dim: set.dim };
  await Deno.writeTextFile(`${path}.json.tmp`, JSON.stringify(header));
  await Deno.rename(`${path}.json.tmp`, `${path}.json`);
  return set;
}
