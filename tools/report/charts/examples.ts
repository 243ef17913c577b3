/**
 * One example test clip, clean and under each perturbation condition: a grid of frames (rows: conditions, columns:
 * evenly spaced frames) laid out as SVG with each frame embedded as a grey PNG, so the same figure serves the page and
 * the PNG export.
 *
 * @module
 */

import type { Figure } from "../figure.ts";
import { escapeHtml } from "../html/escape.ts";
import { pngDataUri } from "../render/png_uri.ts";
import { CHART_FONT } from "../render/vega_svg.ts";
import type { ExampleClips } from "../run_data.ts";
import { shortConditionName } from "../tables/robustness.ts";

/** Options of {@link examplesFigure}. */
export interface ExamplesOptions {
  /** Frames shown per condition, evenly spaced through the clip (default 4). */
  framesShown?: number;
  /** Displayed size of a frame in SVG pixels (default: the frame's size, enlarged to at least 96). */
  tileSize?: number;
}

/** PNG data URI of frame `f` of a `t × h × w` grey clip (values clipped to 0–255). */
function frameDataUri(frames: readonly number[], f: number, h: number, w: number): string {
  const pixels = new Uint8Array(h * w);
  const base = f * h * w;
  for (let i = 0; i < h * w; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(frames[base + i])));
  return pngDataUri(pixels, w, h, 1);
}

/** The perturbation examples figure. */
export function examplesFigure(examples: ExampleClips | undefined, options: ExamplesOptions = {}): Figure {
  const base = { id: "perturbations", title: "An example test clip under each perturbation condition" };
  if (!examples) return { ...base, caption: "", missing: "No example clips written yet (examples.json)." };
  const { t, h, w } = examples.clip;
  const shown = Math.max(1, Math.min(options.framesShown ?? 4, t));
  const frameIndices = Array.from({ length: shown }, (_, k) => Math.floor((k * t) / shown));
  const rows = [{ name: "clean", frames: examples.clip.frames }, ...examples.conditions];
  const tileW = options.tileSize ?? Math.max(96, w);
  const tileH = Math.round((tileW * h) / w);
  const labelW = 90, headerH = 22, gap = 4;
  const width = labelW + shown * (tileW + gap);
  const height = headerH + rows.length * (tileH + gap);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<g font-family="${CHART_FONT}" font-size="12" fill="#222">`,
  ];
  frameIndices.forEach((f, k) => {
    const x = labelW + k * (tileW + gap) + tileW / 2;
    parts.push(`<text x="${x}" y="15" text-anchor="middle">frame ${f + 1}/${t}</text>`);
  });
  rows.forEach((row, r) => {
    const y = headerH + r * (tileH + gap);
    parts.push(
      `<text x="${labelW - 8}" y="${y + tileH / 2 + 4}" text-anchor="end">${
        escapeHtml(shortConditionName(row.name))
      }</text>`,
    );
    frameIndices.forEach((f, k) => {
      parts.push(
        `<image x="${labelW + k * (tileW + gap)}" y="${y}" width="${tileW}" height="${tileH}" ` +
          `image-rendering="optimizeSpeed" style="image-rendering:pixelated" preserveAspectRatio="none" ` +
          `href="${frameDataUri(row.frames, f, h, w)}"/>`,
      );
    });
  });
  parts.push("</g></svg>");
  const caption =
    `${rows.length - 1} perturbation conditions applied to one held-out ${w}×${h} phantom clip ` +
    `(${t} frames). DA = depth attenuation, GS = Gaussian shadow (the paper's reference perturbations).`;
  return { ...base, svg: parts.join("\n"), caption };
}
