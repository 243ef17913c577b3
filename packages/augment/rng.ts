/**
 * A small seeded random source that gives the same numbers on every machine and in every process.
 *
 * The generator is SplitMix32 (a Weyl counter followed by an avalanche mix), so its state is one 32-bit counter and
 * a stream can be derived from any tuple of strings and numbers by hashing them with a fixed function (FNV-1a over
 * UTF-8, then mixed). Nothing depends on per-process string hashing or `Math.random`.
 *
 * @module
 */

const GOLDEN_GAMMA = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

/** Avalanche mix of a 32-bit integer (the SplitMix32 / murmur3 finaliser); returns an unsigned 32-bit integer. */
export function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a hash of the UTF-8 bytes of `text`, mixed; stable across processes and platforms. */
export function hashString(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return mix32(h);
}

/** One part of a seed tuple: a string (hashed) or a number (its integer and fractional bits are both used). */
export type SeedPart = string | number;

/**
 * Combines a tuple of strings and numbers into one unsigned 32-bit seed. Order matters, and `["a", "b"]` differs
 * from `["ab"]` because each part is hashed on its own and folded in with a mix.
 */
export function deriveSeed(...parts: SeedPart[]): number {
  let h = 0x2545f491;
  for (const part of parts) {
    let partHash: number;
    if (typeof part === "string") {
      partHash = hashString(part);
    } else {
      if (!Number.isFinite(part)) throw new RangeError(`deriveSeed: seed part must be finite, got ${part}`);
      // Split into high and low 32-bit words so seeds above 2^32 and fractional seeds stay distinct.
      const high = Math.floor(part / TWO_POW_32);
      const low = part - high * TWO_POW_32;
      partHash = mix32(mix32(high ^ 0x5bd1e995) ^ (low >>> 0) ^ Math.round((low % 1) * TWO_POW_32));
    }
    h = mix32((h ^ partHash) + GOLDEN_GAMMA);
  }
  return h;
}

/**
 * Seeded pseudo-random source (SplitMix32). Construct it from a number or from a tuple with {@link Rng.from}.
 *
 * @example
 * ```ts
 * import { Rng } from "@echojepa/augment";
 * const a = Rng.from("clip-001", "gaussian-shadow-low", 0);
 * const b = Rng.from("clip-001", "gaussian-shadow-low", 0);
 * console.log(a.uniform(0.2, 0.8) === b.uniform(0.2, 0.8)); // true
 * ```
 */
export class Rng {
  #state: number;
  #spareNormal: number | null = null;

  /** Starts a stream at the given seed (any finite number; it is folded to 32 bits). */
  constructor(seed: number) {
    this.#state = deriveSeed(seed);
  }

  /** A stream seeded by a tuple, e.g. `(clip id, condition, seed)`. */
  static from(...parts: SeedPart[]): Rng {
    const rng = new Rng(0);
    rng.#state = deriveSeed(...parts);
    return rng;
  }

  /** A new independent stream derived from this one's current state and a label; this stream advances once. */
  fork(label: SeedPart): Rng {
    return Rng.from(this.nextUint32(), label);
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.#state = (this.#state + GOLDEN_GAMMA) | 0;
    return mix32(this.#state);
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** Uniform integer in [low, high] (both ends included), like Python's `random.randint`. */
  int(low: number, high: number): number {
    if (!(high >= low)) throw new RangeError(`Rng.int: empty range [${low}, ${high}]`);
    return low + Math.floor(this.float() * (high - low + 1));
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + std * z;
    }
    const u1 = 1 - this.float(); // in (0, 1], so log is finite
    const u2 = this.float();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return mean + std * radius * Math.cos(2 * Math.PI * u2);
  }

  /** One element of a non-empty array, chosen uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.choice: empty array");
    return items[Math.floor(this.float() * items.length)];
  }
}
