/**
 * A contact sheet of one frame of a clip under every condition, one row per perturbation family (the clean frame,
 * then the family's levels), each tile labelled with its condition id, as a grey PNG: the quickest way to see what
 * the perturbations do to real data.
 *
 * @module
 */

import { type Clip, clipDims, rowMajorData } from "@echojepa/core";
import { encode } from "fast-png";
import { conditionInfo, CONDITIONS, perturbClip, type PerturbOptions } from "./conditions.ts";
import { drawText, GLYPH_ADVANCE, GLYPH_HEIGHT } from "./grid_font.ts";

/** Options of {@link conditionGrid}. */
export interface ConditionGridOptions extends PerturbOptions {
  /** Conditions to show after the clean tile. Default every condition of the catalogue. */
  conditions?: readonly string[];
  /** Frame index to show. Default the middle frame. */
  frame?: number;
  /** Draw the condition id above each tile. Default true. */
  labels?: boolean;
}

/** A grey image. */
export interface GreyImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `height × width` grey levels. */
  data: Uint8Array;
}

/** Converts one frame of a clip to 8-bit grey (colour → mean of R, G, B; floats clipped to 0…maxValue). */
function frameToGrey(clip: Clip, frame: number, maxValue: number): Uint8Array {
  const { height, width, channels } = clipDims(clip);
  const pixels = height * width;
  const out = new Uint8Array(pixels);
  const samples = rowMajorData(clip.lo(frame).hi(1)); // the one frame, row-major (a view unless it is strided)
  const scale = samples instanceof Uint8Array ? 1 : 255 / maxValue;
  for (let p = 0; p < pixels; p++) {
    let sum = 0;
    for (let c = 0; c < Math.min(channels, 3); c++) sum += samples[p * channels + c];
    out[p] = Math.min(255, Math.max(0, Math.round((sum / Math.min(channels, 3)) * scale)));
  }
  return out;
}

/**
 * Renders the grid: one row per family (clean tile, then its conditions in the given order), a 9-pixel label strip
 * above each tile (ids longer than the tile are cut), 2-pixel gutters.
 */
export function conditionGrid(clip: Clip, options: ConditionGridOptions): GreyImage {
  const { frames, height, width } = clipDims(clip, "conditionGrid");
  const frame = options.frame ?? Math.floor(frames / 2);
  if (!(Number.isInteger(frame) && frame >= 0 && frame < frames)) {
    throw new RangeError(`conditionGrid: frame ${frame} outside 0..${frames - 1}`);
  }
  const conditions = options.conditions ?? CONDITIONS.map((c) => c.id);
  const labels = options.labels ?? true;
  const maxValue = options.maxValue ?? 255;
  const clean = frameToGrey(clip, frame, maxValue);
  // One row per family, in order of first appearance, each starting with the clean frame for comparison.
  const rowsByFamily = new Map<string, { label: string; image: Uint8Array }[]>();
  for (const id of conditions) {
    const family = conditionInfo(id).family;
    if (!rowsByFamily.has(family)) rowsByFamily.set(family, [{ label: "clean", image: clean }]);
    rowsByFamily.get(family)!.push({
      label: id,
      image: frameToGrey(perturbClip(clip, id, options), frame, maxValue),
    });
  }
  const rows = rowsByFamily.size > 0 ? [...rowsByFamily.values()] : [[{ label: "clean", image: clean }]];
  const columns = Math.max(...rows.map((r) => r.length));
  const labelHeight = labels ? GLYPH_HEIGHT + 4 : 0;
  const gutter = 2;
  const cellW = width + gutter;
  const cellH = height + labelHeight + gutter;
  const gridW = columns * cellW + gutter;
  const gridH = rows.length * cellH + gutter;
  const data = new Uint8Array(gridW * gridH).fill(40);
  rows.forEach((row, r) =>
    row.forEach((tile, k) => {
      const x0 = gutter + k * cellW;
      const y0 = gutter + r * cellH;
      if (labels) {
        for (let y = y0; y < y0 + labelHeight; y++) data.fill(0, y * gridW + x0, y * gridW + x0 + width);
        const maxChars = Math.floor((width - 2) / GLYPH_ADVANCE);
        drawText(data, gridW, gridH, tile.label.slice(0, maxChars), x0 + 1, y0 + 2);
      }
      for (let y = 0; y < height; y++) {
        data.set(tile.image.subarray(y * width, (y + 1) * width), (y0 + labelHeight + y) * gridW + x0);
      }
    })
  );
  return { width: gridW, height: gridH, data };
}

/** Encodes a grey image as an 8-bit PNG. */
export function encodeGreyPng(image: GreyImage): Uint8Array {
  return encode({ width: image.width, height: image.height, data: image.data, channels: 1, depth: 8 });
}

/** {@link conditionGrid} encoded as PNG bytes. */
export function conditionGridPng(clip: Clip, options: ConditionGridOptions): Uint8Array {
  return encodeGreyPng(conditionGrid(clip, options));
}
