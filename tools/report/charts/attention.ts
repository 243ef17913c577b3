/**
 * Where each backbone's view probe looks: for a few held-out clips (rows) and each backbone (column groups), the
 * probe query's attention over the token grid drawn in red over the middle frame of every temporal slot, relative to
 * uniform attention; the caption says how peaked the maps are.
 *
 * @module
 */

import type { AttentionMaps, Backbone } from "../../demo/results.ts";
import { BACKBONES } from "../../demo/results.ts";
import type { Figure } from "../figure.ts";
import { escapeHtml } from "../html/escape.ts";
import { pngDataUri } from "../render/png_uri.ts";
import { CHART_FONT } from "../render/vega_svg.ts";
import { BACKBONE_LABELS } from "../winner.ts";

type Clip = AttentionMaps["clips"][number];

/** Share of the uniform weight at which a token is drawn fully red. */
const FULL_RED_RATIO = 8;

/**
 * RGB pixels of frame `f` with the slot's token weights blended in red (nearest-token upsampling): no red at or
 * below a token's uniform share 1/N, full red at {@link FULL_RED_RATIO}× that share, log-scaled between; so a flat
 * map shows no red however its noise is scaled.
 */
function overlay(clip: Clip, grid: AttentionMaps["grid"], slot: number, f: number): Uint8Array {
  const { h, w } = clip;
  const [, gh, gw] = grid;
  const n = clip.weights.length;
  const out = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const token = (slot * gh + Math.min(gh - 1, Math.floor((y * gh) / h))) * gw +
        Math.min(gw - 1, Math.floor((x * gw) / w));
      const ratio = clip.weights[token] * n;
      const a = ratio <= 1 ? 0 : 0.75 * Math.min(1, Math.log(ratio) / Math.log(FULL_RED_RATIO));
      const g = Math.max(0, Math.min(255, clip.frames[(f * h + y) * w + x]));
      const o = (y * w + x) * 3;
      out[o] = Math.round(g * (1 - a) + 255 * a);
      out[o + 1] = Math.round(g * (1 - a));
      out[o + 2] = Math.round(g * (1 - a));
    }
  }
  return out;
}

/** Entropy of the weights relative to uniform attention: 1 = uniform, 0 = one token. */
export function relativeEntropy(weights: readonly number[]): number {
  const h = weights.reduce((s, p) => (p > 0 ? s - p * Math.log(p) : s), 0);
  return weights.length > 1 ? h / Math.log(weights.length) : 0;
}

/** The attention-map figure. */
export function attentionFigure(maps: Partial<Record<Backbone, AttentionMaps>>, tileSize = 64): Figure {
  const base = {
    id: "attention",
    title: "Where the view probe looks (attention over tokens, held-out clips)",
  };
  const backbones = BACKBONES.filter((b) => maps[b] && maps[b]!.clips.length > 0);
  if (backbones.length === 0) {
    return { ...base, caption: "", missing: "No attention maps written yet (attention-<backbone>.json)." };
  }
  const first = maps[backbones[0]]!;
  const slots = first.grid[0];
  const rows = first.clips.length;
  const labelW = 120, headerH = 40, gap = 3, groupGap = 14;
  const tileH = Math.round((tileSize * first.clips[0].h) / first.clips[0].w);
  const groupW = slots * (tileSize + gap) + groupGap;
  const width = labelW + backbones.length * groupW;
  const height = headerH + rows * (tileH + gap);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<g font-family="${CHART_FONT}" font-size="12" fill="#222">`,
  ];
  const flatness: string[] = [];
  backbones.forEach((b, bi) => {
    const m = maps[b]!;
    const x0 = labelW + bi * groupW;
    parts.push(
      `<text x="${x0 + (groupW - groupGap) / 2}" y="14" text-anchor="middle" font-weight="bold">${
        escapeHtml(BACKBONE_LABELS[b])
      }</text>`,
    );
    for (let s = 0; s < slots; s++) {
      parts.push(
        `<text x="${x0 + s * (tileSize + gap) + tileSize / 2}" y="32" text-anchor="middle">t${s + 1}</text>`,
      );
    }
    const entropies = m.clips.map((c) => relativeEntropy(c.weights));
    flatness.push(
      `${BACKBONE_LABELS[b]} ${(entropies.reduce((a, e) => a + e, 0) / entropies.length).toFixed(2)}`,
    );
    m.clips.forEach((clip, r) => {
      const y = headerH + r * (tileH + gap);
      for (let s = 0; s < slots; s++) {
        // The middle frame of the slot's tubelet.
        const f = Math.min(clip.t - 1, Math.floor(((s + 0.5) * clip.t) / slots));
        parts.push(
          `<image x="${x0 + s * (tileSize + gap)}" y="${y}" width="${tileSize}" height="${tileH}" ` +
            `style="image-rendering:pixelated" preserveAspectRatio="none" ` +
            `href="${pngDataUri(overlay(clip, m.grid, s, f), clip.w, clip.h, 3)}"/>`,
        );
      }
      if (bi === 0) {
        parts.push(
          `<text x="${labelW - 8}" y="${y + tileH / 2}" text-anchor="end">${escapeHtml(clip.view)}</text>`,
        );
      }
      const mark = clip.predicted === clip.view ? "✓" : `→ ${clip.predicted}`;
      parts.push(
        `<text x="${x0 + slots * (tileSize + gap) - gap}" y="${y + tileH - 4}" text-anchor="end" ` +
          `font-size="10" fill="white">${escapeHtml(mark)}</text>`,
      );
    });
  });
  parts.push("</g></svg>");
  const caption =
    `The 100 %-label view probe's query attention (mean over heads) on ${rows} held-out clips, over ` +
    `the ${
      first.grid.join(" × ")
    } token grid (temporal slots × rows × columns), drawn on each slot's middle frame: red where a token gets more than its uniform share, full red at ` +
    `${FULL_RED_RATIO}× that share; ` +
    `✓ marks a correct prediction, → the wrong view predicted. Relative entropy of the maps (1 = uniform): ` +
    `${flatness.join(", ")}.`;
  return { ...base, svg: parts.join("\n"), caption };
}
