/**
 * Helpers shared by this package's tests: synthetic frames, sample-file lookup, difference measures.
 * Not exported from mod.ts.
 * @module
 */

import { missingFile } from "@echojepa/core/testing";

/** Directory of the shared real sample files (../shared/samples from the repository root). */
export const SAMPLES_DIR: URL = new URL("../../../shared/samples/", import.meta.url);

/** Why a shared sample cannot be used (for a test's `ignore:`), or `undefined` when it is there. */
export function missingSample(name: string): string | undefined {
  return missingFile(new URL(name, SAMPLES_DIR));
}

/** Reads a shared sample; a test that calls this is declared with {@link missingSample} so the file exists. */
export function readSample(name: string): Uint8Array {
  return Deno.readFileSync(new URL(name, SAMPLES_DIR));
}

/** Path of a shared sample file. */
export function samplePath(name: string): string {
  return new URL(name, SAMPLES_DIR).pathname;
}

/** Smooth synthetic frames (low-frequency gradients that move with t), so lossy codecs keep them close. */
export function syntheticFrames(count: number, width: number, height: number, channels: 1 | 3): Uint8Array[] {
  return Array.from({ length: count }, (_, t) => {
    const frame = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          const v = 128 + 60 * Math.sin((x + 3 * t) / 9 + c) + 50 * Math.cos((y - 2 * t) / 11 + 2 * c);
          frame[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return frame;
  });
}

/** Largest absolute difference and mean absolute difference of two byte arrays of equal length. */
export function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

/** Mean of a byte array. */
export function meanOf(bytes: Uint8Array): number {
  let sum = 0;
  for (const v of bytes) sum += v;
  return sum / bytes.length;
}
