/**
 * Converts decoded DICOM samples to display pixels: MONOCHROME1/2 (8/16-bit, signed or not), RGB (planar 0/1),
 * YBR_FULL and native YBR_FULL_422, PALETTE COLOR (normal LUTs). Output is grey `[H, W]` or RGB `[H, W, 3]`.
 * @module
 */

/** How the stored samples of one frame are laid out. */
export interface SampleLayout {
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
  /** Samples per pixel (1 or 3). */
  samples: number;
  /** Bits allocated per sample (8 or 16). */
  bitsAllocated: number;
  /** Bits stored per sample. */
  bitsStored: number;
  /** 1 when samples are two's complement signed. */
  pixelRepresentation: number;
  /** 0 interleaved, 1 planar (colour only). */
  planarConfiguration: number;
  /** Photometric interpretation as stored (already adjusted to "RGB" when a codec converted the colours). */
  photometric: string;
}

/** A PALETTE COLOR lookup table decoded to 8-bit RGB. */
export interface Palette {
  /** First stored value mapped by entry 0. */
  firstMapped: number;
  /** RGB triplets. */
  rgb: Uint8Array;
}

/** Photometric interpretations {@link toDisplay} accepts. */
export const SUPPORTED_PHOTOMETRICS: readonly string[] = [
  "MONOCHROME1",
  "MONOCHROME2",
  "RGB",
  "YBR_FULL",
  "YBR_FULL_422",
  "PALETTE COLOR",
];

/** Channels the photometric interpretation naturally has: 1 for MONOCHROME, 3 otherwise. */
export function naturalChannels(photometric: string): 1 | 3 {
  return photometric.startsWith("MONOCHROME") ? 1 : 3;
}

/** Converts one frame of stored samples (Uint8Array or Uint16Array) to display pixels with `channels`. */
export function toDisplay(
  samples: Uint8Array | Uint16Array,
  layout: SampleLayout,
  channels: 1 | 3,
  palette?: Palette,
): Uint8Array {
  const { width, height, photometric } = layout;
  const count = width * height;
  const out = new Uint8Array(count * channels);
  if (photometric === "MONOCHROME1" || photometric === "MONOCHROME2") {
    const grey = to8Bit(samples, layout, count);
    if (photometric === "MONOCHROME1") { for (let i = 0; i < count; i++) grey[i] = 255 - grey[i]; }
    if (channels === 1) return grey;
    for (let i = 0; i < count; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = grey[i];
    return out;
  }
  const put = (i: number, r: number, g: number, b: number): void => {
    if (channels === 1) out[i] = (r * 299 + g * 587 + b * 114 + 500) / 1000;
    else {
      out[i * 3] = r;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = b;
    }
  };
  if (photometric === "PALETTE COLOR") {
    if (!palette) throw new Error("PALETTE COLOR image without a lookup table");
    const entries = palette.rgb.length / 3;
    const shift = layout.pixelRepresentation === 1 ? 1 << (layout.bitsStored - 1) : 0;
    const mask = layout.bitsStored >= 16 ? 0xffff : (1 << layout.bitsStored) - 1;
    for (let i = 0; i < count; i++) {
      let value = samples[i] & mask;
      if (shift && value >= shift) value -= 2 * shift;
      let index = value - palette.firstMapped;
      index = index < 0 ? 0 : index >= entries ? entries - 1 : index;
      put(i, palette.rgb[index * 3], palette.rgb[index * 3 + 1], palette.rgb[index * 3 + 2]);
    }
    return out;
  }
  if (photometric === "YBR_FULL_422") {
    // Native 4:2:2: Y1 Y2 Cb Cr for each pair of pixels in a row.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const pair = (y * width + (x & ~1)) * 2;
        const luma = samples[pair + (x & 1)];
        ybrPut(put, y * width + x, luma, samples[pair + 2], samples[pair + 3]);
      }
    }
    return out;
  }
  if (photometric !== "RGB" && photometric !== "YBR_FULL") {
    throw new Error(`photometric interpretation '${photometric}' is not supported`);
  }
  const shift = layout.bitsAllocated === 16 ? Math.max(0, layout.bitsStored - 8) : 0;
  const planar = layout.planarConfiguration === 1;
  for (let i = 0; i < count; i++) {
    const a = planar ? samples[i] : samples[i * 3];
    const b = planar ? samples[count + i] : samples[i * 3 + 1];
    const c = planar ? samples[2 * count + i] : samples[i * 3 + 2];
    if (photometric === "RGB") put(i, a >> shift, b >> shift, c >> shift);
    else ybrPut(put, i, a >> shift, b >> shift, c >> shift);
  }
  return out;
}

function ybrPut(
  put: (i: number, r: number, g: number, b: number) => void,
  i: number,
  y: number,
  cb: number,
  cr: number,
): void {
  put(
    i,
    clamp(y + 1.402 * (cr - 128)),
    clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)),
    clamp(y + 1.772 * (cb - 128)),
  );
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/**
 * Maps monochrome samples to 8 bits. 8-bit samples pass through; deeper samples keep their top 8 stored bits
 * (a fixed mapping, so every frame of a cine maps alike); signed samples are shifted to unsigned first.
 */
function to8Bit(samples: Uint8Array | Uint16Array, layout: SampleLayout, count: number): Uint8Array {
  const grey = new Uint8Array(count);
  const bits = Math.min(layout.bitsStored, layout.bitsAllocated);
  const mask = bits >= 16 ? 0xffff : (1 << bits) - 1;
  const signBit = layout.pixelRepresentation === 1 ? 1 << (bits - 1) : 0;
  const shift = Math.max(0, bits - 8);
  for (let i = 0; i < count; i++) {
    let v = samples[i] & mask;
    if (signBit) v ^= signBit; // two's complement → offset binary
    grey[i] = v >> shift;
  }
  return grey;
}
