/**
 * The two perturbations of the EchoJEPA robustness benchmark, with the formulas of the reference code (not the
 * paper's main text, which describes different ones): a radial depth attenuation (usaugment `DepthAttenuation`)
 * and a static 2-D Gaussian shadow (`batch_gaussian_shadow.py`). Both are one H×W gain map applied to every frame.
 *
 * @module
 */

import type { Random } from "@echojepa/core";

/** Depth-attenuation parameters: A = (1 − minAttenuation)·exp(−rate·d) + minAttenuation. */
export interface DepthAttenuationParams {
  /** γ, the decay rate per unit of normalised distance from the apex (usaugment `attenuation_rate`). */
  rate: number;
  /** Floor of the map (usaugment `max_attenuation`); 0 in the benchmark, giving A = exp(−γ·d). */
  minAttenuation?: number;
}

/** Reference presets: γ = 0.75 / 1.50 / 2.15 ("da075", "da150", "da215"). */
export const DEPTH_ATTENUATION_PRESETS: Readonly<Record<"low" | "medium" | "high", DepthAttenuationParams>> =
  {
    low: { rate: 0.75 },
    medium: { rate: 1.5 },
    high: { rate: 2.15 },
  };

/**
 * The depth-attenuation gain map, row-major `[H, W]`: with x = linspace(0, 1, W), y = linspace(0, 1, H) and
 * d = √((x − 0.5)² + y²) (distance from the top-centre apex), A = (1 − a_min)·exp(−γ·d) + a_min.
 */
export function depthAttenuationMap(
  height: number,
  width: number,
  params: DepthAttenuationParams,
): Float32Array {
  checkSize(height, width, "depthAttenuationMap");
  const rate = params.rate;
  const floor = params.minAttenuation ?? 0;
  if (!(rate >= 0)) throw new RangeError(`depthAttenuationMap: rate must be ≥ 0, got ${rate}`);
  if (!(floor >= 0 && floor <= 1)) {
    throw new RangeError(`depthAttenuationMap: minAttenuation must be in [0, 1]`);
  }
  const map = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const ny = linspace01(y, height);
    for (let x = 0; x < width; x++) {
      const nx = linspace01(x, width) - 0.5;
      const d = Math.sqrt(nx * nx + ny * ny);
      map[y * width + x] = (1 - floor) * Math.exp(-rate * d) + floor;
    }
  }
  return map;
}

/** Gaussian-shadow parameters; the centre is in pixels. */
export interface GaussianShadowParams {
  /** Depth of the shadow at its centre, s in 1 − s·exp(…). */
  strength: number;
  /** Width as a fraction of the frame: σx = sigma·W, σy = sigma·H. */
  sigma: number;
  /** Centre column μx in pixels. */
  centerX: number;
  /** Centre row μy in pixels. */
  centerY: number;
}

/** Reference presets (strength, σ): (0.4, 0.15), (0.6, 0.20), (0.8, 0.25). The centre is drawn per clip. */
export const GAUSSIAN_SHADOW_PRESETS: Readonly<
  Record<"low" | "medium" | "high", Omit<GaussianShadowParams, "centerX" | "centerY">>
> = {
  low: { strength: 0.4, sigma: 0.15 },
  medium: { strength: 0.6, sigma: 0.2 },
  high: { strength: 0.8, sigma: 0.25 },
};

/**
 * Draws the shadow centre as the reference does, once per clip: μx = ⌊U(0.2, 0.8)·W⌋, then μy = ⌊U(0.2, 0.8)·H⌋.
 */
export function sampleShadowCenter(
  height: number,
  width: number,
  rng: Random,
): { centerX: number; centerY: number } {
  const centerX = Math.floor(rng.uniform(0.2, 0.8) * width);
  const centerY = Math.floor(rng.uniform(0.2, 0.8) * height);
  return { centerX, centerY };
}

/**
 * The Gaussian-shadow gain map, row-major `[H, W]`, on the pixel grid x = 0…W−1, y = 0…H−1:
 * S = 1 − s·exp(−((x − μx)²/(2σx²) + (y − μy)²/(2σy²))), σx = σ·W, σy = σ·H.
 */
export function gaussianShadowMap(height: number, width: number, params: GaussianShadowParams): Float32Array {
  checkSize(height, width, "gaussianShadowMap");
  const { strength, sigma, centerX, centerY } = params;
  if (!(strength >= 0 && strength <= 1)) {
    throw new RangeError(`gaussianShadowMap: strength must be in [0, 1], got ${strength}`);
  }
  if (!(sigma > 0)) throw new RangeError(`gaussianShadowMap: sigma must be > 0, got ${sigma}`);
  const twoVarX = 2 * (sigma * width) ** 2;
  const twoVarY = 2 * (sigma * height) ** 2;
  const map = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const ey = (y - centerY) ** 2 / twoVarY;
    for (let x = 0; x < width; x++) {
      map[y * width + x] = 1 - strength * Math.exp(-((x - centerX) ** 2 / twoVarX + ey));
    }
  }
  return map;
}

/** Element i of numpy's linspace(0, 1, n). */
function linspace01(i: number, n: number): number {
  return n === 1 ? 0 : i / (n - 1);
}

function checkSize(height: number, width: number, op: string): void {
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
    throw new RangeError(`${op}: height and width must be positive integers, got ${height}×${width}`);
  }
}
