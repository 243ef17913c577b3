/**
 * EF MAE of each backbone, clean and under each reference perturbation, as grouped bars.
 *
 * @module
 */

import { BACKBONES } from "../../demo/results.ts";
import type { TopLevelSpec } from "../deps.ts";
import type { Figure } from "../figure.ts";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { RunResults } from "../run_data.ts";
import { shortConditionName } from "../tables/robustness.ts";
import { BACKBONE_LABELS } from "../winner.ts";

/** The robustness figure. */
export async function robustnessFigure(results: RunResults): Promise<Figure> {
  const base = { id: "robustness-bars", title: "Robustness: EF MAE clean and under each perturbation" };
  const bars: { backbone: string; condition: string; mae: number }[] = [];
  const order = ["clean"];
  for (const b of BACKBONES) {
    const r = results.robustness[b];
    if (!r) continue;
    bars.push({ backbone: BACKBONE_LABELS[b], condition: "clean", mae: r.clean });
    for (const c of r.conditions) {
      const name = shortConditionName(c.name);
      if (!order.includes(name)) order.push(name);
      bars.push({ backbone: BACKBONE_LABELS[b], condition: name, mae: c.mae });
    }
  }
  if (bars.length === 0) return { ...base, caption: "", missing: "No robustness results yet." };
  const svg = await vegaLiteToSvg({
    data: { values: bars.filter((d) => Number.isFinite(d.mae)) },
    width: { step: 18 },
    height: 200,
    mark: "bar",
    encoding: {
      x: { field: "condition", type: "nominal", sort: order, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "backbone", sort: BACKBONES.map((b) => BACKBONE_LABELS[b]) },
      y: { field: "mae", type: "quantitative", title: "EF MAE (points)" },
      color: {
        field: "backbone",
        type: "nominal",
        title: "backbone",
        scale: { domain: BACKBONES.map((b) => BACKBONE_LABELS[b]), range: ["#1f77b4", "#ff7f0e", "#7f7f7f"] },
      },
    },
  } as TopLevelSpec);
  const caption =
    "The EF probe is trained on clean clips only and evaluated on perturbed copies of the test clips.";
  return { ...base, svg, caption };
}
