/**
 * Per-channel standardisation of frozen features with train-split statistics, applied before every probe.
 *
 * Trained encoders' tokens are dominated by one vector shared by all tokens, and a probe's accuracy then follows
 * that vector's scale rather than what the features encode. Standardising each channel with the training split's
 * mean and variance (over every token of every training sample) is what MAE's linear protocol does with a
 * non-affine BatchNorm (eps 1e-6), and it puts every backbone on the same footing. Statistics never see the
 * validation or test split.
 */

import type { FeatureSet } from "./features.ts";

/** Per-channel mean and standard deviation fitted on a training split. */
export interface ChannelStats {
  /** Mean of each channel, length `dim`. */
  mean: Float32Array;
  /** `sqrt(variance + eps)` of each channel, length `dim`. */
  std: Float32Array;
}

/**
 * Fits per-channel statistics over every token of the samples `trainIndices` of `set` (population variance, as
 * BatchNorm's running statistics; `eps` is added to the variance so constant channels map to 0, not NaN).
 */
export function fitChannelStats(set: FeatureSet, trainIndices: number[], eps = 1e-6): ChannelStats {
  if (trainIndices.length === 0) throw new RangeError("fitChannelStats: no training samples");
  const { tokens, dim, data } = set;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  for (const s of trainIndices) {
    if (!(s >= 0 && s < set.count)) {
      throw new RangeError(`fitChannelStats: sample ${s} outside 0..${set.count - 1}`);
    }
    for (let t = 0; t < tokens; t++) {
      const row = (s * tokens + t) * dim;
      for (let c = 0; c < dim; c++) {
        const v = data[row + c];
        sum[c] += v;
        sumSq[c] += v * v;
      }
    }
  }
  const n = trainIndices.length * tokens;
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let c = 0; c < dim; c++) {
    const m = sum[c] / n;
    // Two-moment form in float64 is exact enough for feature scales (|x| ≲ 1e3) and keeps this one pass.
    const variance = Math.max(0, sumSq[c] / n - m * m);
    mean[c] = m;
    std[c] = Math.sqrt(variance + eps);
  }
  return { mean, std };
}

/** Returns a new feature set with every channel of every token mapped to `(x − mean) / std`. */
export function standardiseFeatures(set: FeatureSet, stats: ChannelStats): FeatureSet {
  const { dim } = set;
  if (stats.mean.length !== dim) {
    throw new RangeError(
      `standardiseFeatures: statistics for ${stats.mean.length} channels, features have ${dim}`,
    );
  }
  const out = new Float32Array(set.data.length);
  for (let i = 0; i < out.length; i += dim) {
    for (let c = 0; c < dim; c++) out[i + c] = (set.data[i + c] - stats.mean[c]) / stats.std[c];
  }
  return { count: set.count, tokens: set.tokens, dim, data: out };
}

/** Mean over tokens of each sample: `[count, tokens, dim]` → `[count, 1, dim]` (the linear probe's and kNN's input). */
export function meanPoolTokens(set: FeatureSet): FeatureSet {
  const { count, tokens, dim, data } = set;
  const out = new Float32Array(count * dim);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < tokens; t++) {
      const row = (s * tokens + t) * dim;
      for (let c = 0; c < dim; c++) out[s * dim + c] += data[row + c];
    }
    for (let c = 0; c < dim; c++) out[s * dim + c] /= tokens;
  }
  return { count, tokens: 1, dim, data: out };
}

/**
 * Mean over time of each sample's token grid, the spatial grid kept: tokens `[timeSlots · places, dim]` (time-major,
 * as the encoder orders them) → one `[places · dim]` vector per sample, `[count, 1, places · dim]`. With
 * `timeSlots = tokens` it is {@link meanPoolTokens}. Unlike a mean over every token it keeps where things are, which
 * a probe of raw pixels (tubelets carry no position) needs as much as any encoder's.
 */
export function timePoolTokens(set: FeatureSet, timeSlots: number): FeatureSet {
  const { count, tokens, dim, data } = set;
  if (!(Number.isInteger(timeSlots) && timeSlots >= 1 && tokens % timeSlots === 0)) {
    throw new RangeError(`timePoolTokens: ${tokens} tokens do not split into ${timeSlots} time slots`);
  }
  const places = tokens / timeSlots;
  const width = places * dim;
  const out = new Float32Array(count * width);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < timeSlots; t++) {
      const from = (s * tokens + t * places) * dim;
      for (let j = 0; j < width; j++) out[s * width + j] += data[from + j];
    }
    for (let j = 0; j < width; j++) out[s * width + j] /= timeSlots;
  }
  return { count, tokens: 1, dim: width, data: out };
}

/**
 * Statistics pooling over time: each place's per-channel mean over the time slots ({@link timePoolTokens}), then
 * its standard deviation over them, `[count, 1, 2 · places · dim]`. A linear read of a time mean cannot see how
 * much a place changes over the clip; the spread can, and that is what a motion amplitude such as the ejection
 * fraction is (measured: on the demo's validation patients the linear probe reads EF at R² ≈ 0 from the mean alone
 * and ≈ 0.3 from mean and spread).
 */
export function timeStatsPoolTokens(set: FeatureSet, timeSlots: number): FeatureSet {
  const mean = timePoolTokens(set, timeSlots);
  const { count, tokens, dim, data } = set;
  const width = (tokens / timeSlots) * dim;
  const out = new Float32Array(count * 2 * width);
  for (let s = 0; s < count; s++) {
    const m = mean.data.subarray(s * width, (s + 1) * width);
    out.set(m, s * 2 * width);
    for (let j = 0; j < width; j++) {
      let v = 0;
      for (let t = 0; t < timeSlots; t++) v += (data[s * tokens * dim + t * width + j] - m[j]) ** 2;
      out[s * 2 * width + width + j] = Math.sqrt(v / timeSlots);
    }
  }
  return { count, tokens: 1, dim: 2 * width, data: out };
}
