/**
 * Low-frequency multiplicative tissue texture (heterogeneous myocardium, patchy surrounding tissue).
 */

import { fastCos } from "./fast_math.ts";
import type { Random } from "@echojepa/core";

/**
 * Low-frequency multiplicative texture (heterogeneous myocardium, patchy tissue): exp(strength·n) with n a sum of
 * random plane waves of 1–3.5 cm wavelength, unit variance.
 */
export function makeTexture(rng: Random, strength: number): (x: number, z: number) => number {
  if (strength === 0) return () => 1;
  const waves: number[] = [];
  const m = 6;
  for (let i = 0; i < m; i++) {
    const lambda = rng.uniform(1, 3.5), ang = rng.uniform(0, Math.PI);
    const k = (2 * Math.PI) / lambda;
    waves.push(k * Math.cos(ang), k * Math.sin(ang), rng.uniform(0, 2 * Math.PI));
  }
  const norm = Math.sqrt(2 / m);
  return (x, z) => {
    let s = 0;
    for (let i = 0; i < waves.length; i += 3) s += fastCos(waves[i] * x + waves[i + 1] * z + waves[i + 2]);
    return Math.exp(strength * norm * s);
  };
}
