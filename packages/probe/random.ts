/**
 * The probe package's seeded uniform generator (a SplitMix32 stream): label draws, subsets and bootstrap resamples
 * all take their randomness from here, so a seed fixes every draw of an evaluation.
 */

/** A function returning uniform numbers in [0, 1), deterministic in `seed`. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}
