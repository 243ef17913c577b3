/**
 * 16-bit floats ↔ 32-bit floats on the host: IEEE half (f16) through a 65 536-entry table (exact, including
 * subnormals, infinities and NaN), bfloat16 by bit shifting, and f32 → f16/bf16 with round-to-nearest-even as
 * PyTorch's `.half()` and `.bfloat16()` do. Used by the checkpoint readers and writers.
 *
 * @module
 */

let halfTable: Float32Array | null = null;

/** The f32 value of every f16 bit pattern. */
function table(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    t[h] = exp === 0
      ? sign * frac * 2 ** -24
      : exp === 31
      ? (frac ? NaN : sign * Infinity)
      : sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

/** IEEE half bits → float. */
export function halfToFloat(h: number): number {
  return table()[h & 0xffff];
}

/** Converts little-endian f16 values (`bytes`, 2 per element) to f32. */
export function halfBytesToFloat32(bytes: Uint8Array): Float32Array {
  const t = table();
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = t[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
  return out;
}

/** Converts little-endian bf16 values (`bytes`, 2 per element) to f32 (exact: bf16 is an f32's top half). */
export function bfloat16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const out = new Uint32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
  return new Float32Array(out.buffer);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → IEEE half bits, round to nearest even (overflow to ±inf, NaN kept as a quiet NaN). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const frac = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the full mantissa (with its implicit 1) and round to nearest even.
    const m = frac | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (frac >>> 13);
  const rest = frac & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** f32 → bfloat16 bits, round to nearest even (NaN kept as a quiet NaN). */
export function floatToBfloat16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) | 0x40) & 0xffff;
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
