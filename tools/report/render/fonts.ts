/**
 * The font the PNG figures are drawn with. resvg's WebAssembly build cannot read system fonts by itself, so the
 * report hands it a TrueType file: `--font PATH` when given, else the first common sans-serif font found on the
 * machine (DejaVu Sans ships with Debian and most Linux images).
 *
 * @module
 */

/** Where common sans-serif TrueType fonts live on Linux and macOS. */
export const FONT_CANDIDATES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
  "/Library/Fonts/Arial.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
];

/** A loaded font file. */
export interface FontFile {
  path: string;
  bytes: Uint8Array;
}

/**
 * Reads `explicitPath` (an error names it when unreadable) or the first candidate that exists; `undefined` when none
 * does, in which case the PNGs are drawn without text (the HTML's inline SVG is unaffected).
 */
export function findFont(
  explicitPath?: string,
  candidates: readonly string[] = FONT_CANDIDATES,
): FontFile | undefined {
  if (explicitPath) {
    try {
      return { path: explicitPath, bytes: Deno.readFileSync(explicitPath) };
    } catch (error) {
      throw new Error(
        `report: cannot read font ${explicitPath}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  for (const path of candidates) {
    try {
      return { path, bytes: Deno.readFileSync(path) };
    } catch {
      // Not on this machine: try the next one.
    }
  }
  return undefined;
}
