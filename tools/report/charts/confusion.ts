/**
 * View confusion matrices of the probes trained on all labels (first seed), one panel per backbone, rows normalised
 * to the share of each true view: where the errors go, not only how many there are.
 *
 * @module
 */

import { BACKBONES } from "../../demo/results.ts";
import type { TopLevelSpec } from "../deps.ts";
import type { Figure } from "../figure.ts";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { RunResults } from "../run_data.ts";
import { BACKBONE_LABELS } from "../winner.ts";

/** The label fraction whose confusion matrices are shown. */
const FRACTION = "100%";

/** The confusion figure. */
export async function confusionFigure(results: RunResults): Promise<Figure> {
  const base = { id: "confusion", title: "View confusion with all training labels (first seed)" };
  const views = results.data?.views ?? [];
  const cells: { backbone: string; truth: string; predicted: string; share: number; count: number }[] = [];
  const present = BACKBONES.filter((b) =>
    (results.viewClassification[b]?.[FRACTION]?.confusion.length ?? 0) > 0
  );
  for (const b of present) {
    const matrix = results.viewClassification[b]![FRACTION].confusion;
    const name = (i: number): string => views[i] ?? String(i);
    matrix.forEach((row, i) => {
      const total = row.reduce((a, c) => a + c, 0);
      if (total === 0) return; // a view absent from the test split has no row to show
      row.forEach((count, j) => {
        cells.push({
          backbone: BACKBONE_LABELS[b],
          truth: name(i),
          predicted: name(j),
          share: count / total,
          count,
        });
      });
    });
  }
  if (cells.length === 0) return { ...base, caption: "", missing: "No view confusion matrices yet." };
  const order = views.length > 0 ? [...views] : undefined;
  const svg = await vegaLiteToSvg({
    data: { values: cells },
    facet: {
      column: {
        field: "backbone",
        type: "nominal",
        title: null,
        sort: present.map((b) => BACKBONE_LABELS[b]),
      },
    },
    spec: {
      width: { step: 14 },
      height: { step: 14 },
      mark: "rect",
      encoding: {
        x: { field: "predicted", type: "nominal", sort: order, title: "predicted view" },
        y: { field: "truth", type: "nominal", sort: order, title: "true view" },
        color: {
          field: "share",
          type: "quantitative",
          title: "share of true view",
          scale: { domain: [0, 1], range: ["#ffffff", "#08306b"] },
        },
      },
    },
  } as TopLevelSpec);
  const caption =
    "Each row is one true view, coloured by the share of its test clips given each predicted view; a " +
    "perfect probe fills the diagonal. A probe that always answers one view paints a single column.";
  return { ...base, svg, caption };
}
