/**
 * SVG → PNG with resvg's WebAssembly build (no native addon, works offline: the .wasm is read from the installed
 * npm package). The module is initialised once per process.
 *
 * @module
 */

import { initResvgWasm, Resvg, resvgWasmUrl } from "../deps.ts";
import type { FontFile } from "./fonts.ts";

let ready: Promise<void> | undefined;

/** Loads resvg's WebAssembly module once. */
function ensureResvg(): Promise<void> {
  ready ??= Deno.readFile(resvgWasmUrl()).then((bytes) => initResvgWasm(bytes));
  return ready;
}

/** Options of {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Font for all text; without one, text is not drawn. */
  font?: FontFile;
  /** Scale factor over the SVG's own size (default 2, for sharp figures on high-density screens and in slides). */
  scale?: number;
}

/** Rasterises an SVG document on a white background and encodes it as PNG. */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  await ensureResvg();
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    font: {
      fontBuffers: options.font ? [options.font.bytes] : [],
      loadSystemFonts: false,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
