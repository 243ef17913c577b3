/**
 * The one seeded random generator of the project: every package that draws random numbers on the host (weight
 * initialisation, augmentation, perturbations, the phantom, clip sampling, label draws, bootstrap resamples,
 * report layouts) takes them from a {@link Random}, so a seed fixes a result on every machine and in every worker.
 *
 * The algorithm is SplitMix32: a Weyl counter (`state += 0x9e3779b9`) followed by the murmur3 avalanche mix. Its
 * whole state is one 32-bit counter (plus a cached normal deviate), and streams are split by seed: a stream for a
 * tuple such as `(clip id, condition, repeat)` comes from hashing the tuple with a fixed function (FNV-1a over
 * UTF-8, then mixed), never from per-process string hashing or `Math.random`.
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
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return mix32(h);
}

/** One part of a seed tuple: a string (hashed) or a finite number (its integer and fractional bits both count). */
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
      // High and low 32-bit words, so seeds above 2^32 and fractional seeds stay distinct.
      const high = Math.floor(part / TWO_POW_32);
      const low = part - high * TWO_POW_32;
      partHash = mix32(mix32(high ^ 0x5bd1e995) ^ (low >>> 0) ^ Math.round((low % 1) * TWO_POW_32));
    }
    h = mix32((h ^ partHash) + GOLDEN_GAMMA);
  }
  return h;
}

/** A function returning uniform numbers in [0, 1), for APIs that take a plain source (e.g. clip sampling). */
export type RandomSource = () => number;

/**
 * Seeded pseudo-random stream (SplitMix32). `new Random(seed)` starts the counter at the seed itself (folded to 32
 * bits); {@link Random.from} starts it at the hash of a seed tuple, which is what independent streams should use.
 *
 * @example
 * ```ts
 * import { Random } from "@echojepa/core";
 * const a = Random.from("clip-001", "gaussian-shadow-low", 0);
 * const b = Random.from("clip-001", "gaussian-shadow-low", 0);
 * console.log(a.uniform(0.2, 0.8) === b.uniform(0.2, 0.8)); // true
 * ```
 */
export class Random {
  #state: number;
  #spareNormal: number | null = null;

  /** Starts a stream whose counter is `seed` folded to an unsigned 32-bit integer. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Random: seed must be finite, got ${seed}`);
    this.#state = seed >>> 0;
  }

  /** A stream seeded by a tuple, e.g. `(clip id, condition, seed)`. */
  static from(...parts: SeedPart[]): Random {
    return new Random(deriveSeed(...parts));
  }

  /** A new independent stream derived from this one's next value and a label; this stream advances once. */
  fork(label: SeedPart): Random {
    return Random.from(this.uint32(), label);
  }

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    this.#state = (this.#state + GOLDEN_GAMMA) | 0;
    return mix32(this.#state);
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** This stream as a plain `() => number` source (shares the state: drawing from either advances both). */
  source(): RandomSource {
    return () => this.next();
  }

  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high] (both ends included), like Python's `random.randint`. */
  int(low: number, high: number): number {
    if (!(high >= low)) throw new RangeError(`Random.int: empty range [${low}, ${high}]`);
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + std * z;
    }
    const u1 = 1 - this.next(); // in (0, 1], so the log is finite
    const u2 = this.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return mean + std * radius * Math.cos(2 * Math.PI * u2);
  }

  /** One element of a non-empty array, chosen uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Random.pick: empty array");
    return items[Math.floor(this.next() * items.length)];
  }
}
