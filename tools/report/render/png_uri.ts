/**
 * Raster images inside SVG figures: pixels encoded as PNG (fast-png) in a data URI, so one SVG serves both the
 * self-contained page and the PNG export.
 *
 * @module
 */

import { encodePng } from "../deps.ts";

/** PNG data URI of `width × height` pixels with 1 (grey), 3 (RGB) or 4 (RGBA) 8-bit channels. */
export function pngDataUri(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): string {
  const png = encodePng({ width, height, data: pixels, channels, depth: 8 });
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000) binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}
