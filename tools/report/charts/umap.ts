/**
 * A 2-D UMAP of each backbone's pooled test-clip embeddings, coloured by view: well-separated colours mean the
 * frozen features already know the view before any probe is trained.
 *
 * @module
 */

import { type Backbone, BACKBONES } from "../../demo/results.ts";
import { type TopLevelSpec, UMAP } from "../deps.ts";
import type { Figure } from "../figure.ts";
import { Random } from "@echojepa/core";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { EmbeddingSet } from "../run_data.ts";
import { BACKBONE_LABELS } from "../winner.ts";

/** Options of {@link umapFigure}. */
export interface UmapOptions {
  /** Seed of the layout (default 0): the same seed gives the same picture. */
  seed?: number;
  /** At most this many clips per backbone are embedded (evenly strided; default 600) to keep the report fast. */
  maxPoints?: number;
}

/** Evenly strided subset of at most `max` indices. */
function strided(n: number, max: number): number[] {
  const step = Math.max(1, n / max);
  const out: number[] = [];
  for (let i = 0; i < n && out.length < max; i += step) out.push(Math.floor(i));
  return out;
}

/** Seeded UMAP to 2-D; returns `[x, y]` per row. Needs at least 3 rows. */
export function umap2d(features: number[][], seed: number): number[][] {
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(15, features.length - 1)),
    minDist: 0.2,
    nEpochs: 200,
    random: new Random(seed).source(),
  });
  return umap.fit(features);
}

/** The UMAP figure, one panel per backbone that has embeddings. */
export async function umapFigure(
  embeddings: Partial<Record<Backbone, EmbeddingSet>>,
  viewOrder: readonly string[] = [],
  options: UmapOptions = {},
): Promise<Figure> {
  const base = { id: "umap", title: "UMAP of frozen test-clip embeddings, coloured by view" };
  const present = BACKBONES.filter((b) => (embeddings[b]?.features.length ?? 0) >= 4);
  if (present.length === 0) return { ...base, caption: "", missing: "No embeddings written yet." };
  const points: { backbone: string; x: number; y: number; view: string }[] = [];
  for (const backbone of present) {
    const set = embeddings[backbone]!;
    const keep = strided(set.features.length, options.maxPoints ?? 600);
    const xy = umap2d(keep.map((i) => set.features[i]), options.seed ?? 0);
    keep.forEach((i, k) =>
      points.push({ backbone: BACKBONE_LABELS[backbone], x: xy[k][0], y: xy[k][1], view: set.views[i] })
    );
  }
  const views = [
    ...new Set([...viewOrder.filter((v) => points.some((p) => p.view === v)), ...points.map((p) => p.view)]),
  ];
  const svg = await vegaLiteToSvg({
    data: { values: points },
    facet: {
      column: {
        field: "backbone",
        type: "nominal",
        title: null,
        sort: present.map((b) => BACKBONE_LABELS[b]),
      },
    },
    spec: {
      width: 210,
      height: 210,
      mark: { type: "circle", size: 18, opacity: 0.75 },
      encoding: {
        x: { field: "x", type: "quantitative", axis: null, scale: { zero: false } },
        y: { field: "y", type: "quantitative", axis: null, scale: { zero: false } },
        color: {
          field: "view",
          type: "nominal",
          scale: { domain: views, scheme: "tableau10" },
          title: "view",
        },
      },
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  } as TopLevelSpec);
  const caption = `Pooled embeddings of ${points.length / present.length | 0} test clips per backbone ` +
    `(seeded UMAP, 15 neighbours). Axes carry no meaning; only the grouping does.`;
  return { ...base, svg, caption };
}
