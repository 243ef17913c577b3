/**
 * A 3×5 pixel font (lower-case letters, digits, "-", ".", ":", "%", space) to label tiles of the condition grid
 * without a font file. Each glyph is five rows of three bits, top row first.
 *
 * @module
 */

const GLYPHS: Record<string, string> = {
  a: "010101111101101",
  b: "110101110101110",
  c: "011100100100011",
  d: "110101101101110",
  e: "111100110100111",
  f: "111100110100100",
  g: "011100101101011",
  h: "101101111101101",
  i: "111010010010111",
  j: "001001001101010",
  k: "101101110101101",
  l: "100100100100111",
  m: "101111111101101",
  n: "110101101101101",
  o: "010101101101010",
  p: "110101110100100",
  q: "010101101110011",
  r: "110101110101101",
  s: "011100010001110",
  t: "111010010010010",
  u: "101101101101111",
  v: "101101101101010",
  w: "101101111111101",
  x: "101101010101101",
  y: "101101010010010",
  z: "111001010100111",
  "0": "111101101101111",
  "1": "010110010010111",
  "2": "110001010100111",
  "3": "110001010001110",
  "4": "101101111001001",
  "5": "111100110001110",
  "6": "011100111101111",
  "7": "111001010010010",
  "8": "111101111101111",
  "9": "111101111001110",
  "-": "000000111000000",
  ".": "000000000000010",
  ":": "000010000010000",
  "%": "101001010100101",
  " ": "000000000000000",
};

/** Glyph cell width including one column of spacing, pixels. */
export const GLYPH_ADVANCE = 4;
/** Glyph height, pixels. */
export const GLYPH_HEIGHT = 5;

/**
 * Draws `text` (lower-cased; unknown characters become spaces) into a grey image at (x, y) with grey level
 * `value`, clipped to the image.
 */
export function drawText(
  image: Uint8Array,
  imageWidth: number,
  imageHeight: number,
  text: string,
  x: number,
  y: number,
  value = 255,
): void {
  let cursor = x;
  for (const ch of text.toLowerCase()) {
    const glyph = GLYPHS[ch] ?? GLYPHS[" "];
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 3; col++) {
        if (glyph[row * 3 + col] !== "1") continue;
        const px = cursor + col;
        const py = y + row;
        if (px >= 0 && px < imageWidth && py >= 0 && py < imageHeight) image[py * imageWidth + px] = value;
      }
    }
    cursor += GLYPH_ADVANCE;
  }
}
