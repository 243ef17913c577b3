/**
 * View accuracy against the fraction of training labels, mean ± std over seeds, one line per backbone.
 *
 * @module
 */

import { BACKBONES } from "../../demo/results.ts";
import type { TopLevelSpec } from "../deps.ts";
import type { Figure } from "../figure.ts";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { RunResults } from "../run_data.ts";
import { FRACTIONS } from "../tables/fractions.ts";
import { BACKBONE_LABELS } from "../winner.ts";

/** The label-efficiency figure. */
export async function fractionsFigure(results: RunResults): Promise<Figure> {
  const base = {
    id: "label-efficiency",
    title: "Label efficiency: view accuracy by fraction of training labels",
  };
  const points: { backbone: string; fraction: string; mean: number; low: number; high: number }[] = [];
  for (const b of BACKBONES) {
    for (const fraction of FRACTIONS) {
      const r = results.viewClassification[b]?.[fraction];
      if (!r || !Number.isFinite(r.accuracy.mean)) continue;
      const std = Number.isFinite(r.accuracy.std) ? r.accuracy.std : 0;
      const mean = r.accuracy.mean; // The demo records accuracies in %.
      points.push({
        backbone: BACKBONE_LABELS[b],
        fraction,
        mean,
        low: mean - std,
        high: mean + std,
      });
    }
  }
  if (points.length === 0) return { ...base, caption: "", missing: "No view-classification results yet." };
  const x = {
    field: "fraction",
    type: "ordinal",
    sort: [...FRACTIONS],
    title: "training labels",
    scale: { type: "point", padding: 0.4 },
    axis: { labelAngle: 0 },
  };
  const color = {
    field: "backbone",
    type: "nominal",
    title: "backbone",
    scale: { domain: BACKBONES.map((b) => BACKBONE_LABELS[b]), range: ["#1f77b4", "#ff7f0e", "#7f7f7f"] },
  };
  const svg = await vegaLiteToSvg({
    width: 320,
    height: 220,
    data: { values: points },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "mean", type: "quantitative", title: "view accuracy (%)" }, color },
      },
      {
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: "low", type: "quantitative", title: "view accuracy (%)" },
          y2: { field: "high" },
          color,
        },
      },
    ],
  } as TopLevelSpec);
  const caption =
    "Frozen backbone plus a probe trained on a fraction of the training clips; error bars are ± one " +
    "std over seeds. The gap at 1 % is what label efficiency means.";
  return { ...base, svg, caption };
}
