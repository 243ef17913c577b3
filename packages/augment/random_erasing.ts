/**
 * Random erasing of a model input (`[C, T, H, W]` float32, after normalisation), as timm's `RandomErasing` in
 * the video ("cube") form the reference uses: one box for every frame, filled with N(0, 1) values ("pixel" mode),
 * a constant 0 ("const"), or one N(0, 1) value per channel ("rand").
 *
 * @module
 */

import type { CropBox } from "./crop.ts";
import { roundHalfEven } from "./crop.ts";
import type { Random } from "@echojepa/core";

/** Options of {@link randomErasing}; defaults are the reference probe setting (p 0.25, pixel mode, one box). */
export interface RandomErasingOptions {
  /** Probability of erasing anything. Default 0.25. */
  probability?: number;
  /** Box area range as a fraction of the frame. Default [0.02, 1/3]. */
  area?: readonly [number, number];
  /** Box aspect range (h/w, log-uniform). Default [0.3, 1/0.3]. */
  aspectRatio?: readonly [number, number];
  /** Fill mode. Default "pixel". */
  mode?: "pixel" | "const" | "rand";
  /** Number of boxes. Default 1. */
  count?: number;
}

/**
 * Erases boxes in place and returns them. Each box: up to 10 tries of area = U(area)·H·W/count and
 * aspect = exp(U(log range)), h = round(√(area·aspect)), w = round(√(area/aspect)), accepted when h < H and w < W.
 */
export function randomErasing(
  input: { data: Float32Array; shape: readonly [number, number, number, number] },
  rng: Random,
  options: RandomErasingOptions = {},
): CropBox[] {
  const [channels, frames, height, width] = input.shape;
  if (input.data.length !== channels * frames * height * width) {
    throw new RangeError(`randomErasing: data length ${input.data.length} does not match [${input.shape}]`);
  }
  const probability = options.probability ?? 0.25;
  const [areaLow, areaHigh] = options.area ?? [0.02, 1 / 3];
  const [aspectLow, aspectHigh] = options.aspectRatio ?? [0.3, 1 / 0.3];
  const mode = options.mode ?? "pixel";
  const count = options.count ?? 1;
  if (!(areaLow > 0 && areaHigh >= areaLow && aspectLow > 0 && aspectHigh >= aspectLow)) {
    throw new RangeError(`randomErasing: bad area/aspect ranges ${JSON.stringify(options)}`);
  }
  if (!rng.chance(probability)) return [];
  const boxes: CropBox[] = [];
  const frameArea = height * width;
  const plane = frameArea;
  for (let n = 0; n < count; n++) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = (rng.uniform(areaLow, areaHigh) * frameArea) / count;
      const aspect = Math.exp(rng.uniform(Math.log(aspectLow), Math.log(aspectHigh)));
      const h = roundHalfEven(Math.sqrt(target * aspect));
      const w = roundHalfEven(Math.sqrt(target / aspect));
      if (!(w < width && h < height && w > 0 && h > 0)) continue;
      const top = rng.int(0, height - h);
      const left = rng.int(0, width - w);
      const channelValues = Array.from({ length: channels }, () => (mode === "rand" ? rng.normal() : 0));
      for (let t = 0; t < frames; t++) {
        for (let c = 0; c < channels; c++) {
          const base = (c * frames + t) * plane;
          for (let y = top; y < top + h; y++) {
            for (let x = left; x < left + w; x++) {
              input.data[base + y * width + x] = mode === "pixel" ? rng.normal() : channelValues[c];
            }
          }
        }
      }
      boxes.push({ top, left, height: h, width: w });
      break;
    }
  }
  return boxes;
}
