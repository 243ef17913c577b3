/**
 * Intensity normalisation of model inputs: ImageNet mean/std on the 0–255 scale (what EchoJEPA uses), per-clip
 * standardisation, explicit constants, or none.
 *
 * @module
 */

/** ImageNet channel means on the 0–1 scale (R, G, B). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations on the 0–1 scale (R, G, B). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * How to normalise: `"imagenet"` ((x − 255·mean)/(255·std) per channel, the reference), `"per-clip"` (each channel
 * of each output clip to zero mean and unit variance), `"none"` (values stay on 0–255), or explicit constants on the
 * 0–255 scale (one per output channel, or one for all).
 */
export type Normalization =
  | "imagenet"
  | "per-clip"
  | "none"
  | { mean: readonly number[]; std: readonly number[] };

/**
 * The per-channel affine map `x·scale + offset` that a fixed normalisation applies to 0–255 values, for
 * `channels` output channels. `"per-clip"` returns the identity (it is applied afterwards by
 * {@link standardizePerChannel}).
 */
export function normalizationAffine(
  normalization: Normalization,
  channels: number,
): { scale: number[]; offset: number[] } {
  let mean: readonly number[];
  let std: readonly number[];
  if (normalization === "none" || normalization === "per-clip") {
    return { scale: Array(channels).fill(1), offset: Array(channels).fill(0) };
  } else if (normalization === "imagenet") {
    if (channels !== 3 && channels !== 1) {
      throw new RangeError(
        `normalizationAffine: ImageNet constants need 1 or 3 output channels, got ${channels}`,
      );
    }
    // One output channel: use the mean of the three constants (grey input to a 1-channel model).
    mean = channels === 3 ? IMAGENET_MEAN.map((m) => m * 255) : [255 * (0.485 + 0.456 + 0.406) / 3];
    std = channels === 3 ? IMAGENET_STD.map((s) => s * 255) : [255 * (0.229 + 0.224 + 0.225) / 3];
  } else {
    mean = normalization.mean;
    std = normalization.std;
  }
  const pick = (values: readonly number[], c: number, what: string): number => {
    const v = values.length === 1 ? values[0] : values[c];
    if (values.length !== 1 && values.length !== channels) {
      throw new RangeError(
        `normalizationAffine: ${what} has ${values.length} values for ${channels} channels`,
      );
    }
    if (!Number.isFinite(v)) throw new RangeError(`normalizationAffine: ${what}[${c}] is not finite`);
    return v;
  };
  const scale: number[] = [];
  const offset: number[] = [];
  for (let c = 0; c < channels; c++) {
    const s = pick(std, c, "std");
    if (!(s > 0)) throw new RangeError(`normalizationAffine: std[${c}] must be > 0, got ${s}`);
    const m = pick(mean, c, "mean");
    scale.push(1 / s);
    offset.push(-m / s);
  }
  return { scale, offset };
}

/**
 * Standardises each channel plane of a channels-first array in place to zero mean and unit (population) variance;
 * a constant plane becomes zeros. `channels` planes of equal length are expected.
 */
export function standardizePerChannel(data: Float32Array, channels: number, epsilon = 1e-6): Float32Array {
  if (data.length % channels !== 0) {
    throw new RangeError(
      `standardizePerChannel: ${data.length} values do not split into ${channels} channels`,
    );
  }
  const n = data.length / channels;
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[base + i];
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const d = data[base + i] - mean;
      squares += d * d;
    }
    const inv = 1 / Math.max(Math.sqrt(squares / n), epsilon);
    for (let i = 0; i < n; i++) data[base + i] = (data[base + i] - mean) * inv;
  }
  return data;
}
