/**
 * EF predicted against true on the test patients, one panel per backbone, with the identity line.
 *
 * @module
 */

import { BACKBONES } from "../../demo/results.ts";
import type { TopLevelSpec } from "../deps.ts";
import type { Figure } from "../figure.ts";
import { fixed } from "../format.ts";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { RunResults } from "../run_data.ts";
import { BACKBONE_LABELS } from "../winner.ts";

function std(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

/** True when the predictions spread less than a tenth as much as the targets: the probe outputs ~the mean. */
export function isNearlyConstant(predicted: readonly number[], target: readonly number[]): boolean {
  return predicted.length > 1 && std(predicted) < 0.1 * std(target);
}

/** The EF scatter figure. */
export async function efScatterFigure(results: RunResults): Promise<Figure> {
  const base = { id: "ef-scatter", title: "EF: predicted vs true on held-out test patients" };
  const present = BACKBONES.filter((b) => (results.ef[b]?.target.length ?? 0) > 0);
  if (present.length === 0) return { ...base, caption: "", missing: "No EF predictions yet." };
  const all = present.flatMap((b) => [...results.ef[b]!.target, ...results.ef[b]!.predicted]);
  const lo = Math.floor(Math.min(...all) / 5) * 5;
  const hi = Math.ceil(Math.max(...all) / 5) * 5;
  const panels = present.map((b) => {
    const ef = results.ef[b]!;
    return {
      title: `${BACKBONE_LABELS[b]} (MAE ${fixed(ef.mae)}, R² ${fixed(ef.r2)})`,
      width: 200,
      height: 200,
      layer: [
        {
          data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
          mark: { type: "line", color: "#999", strokeDash: [4, 3] },
          encoding: {
            x: { field: "x", type: "quantitative", scale: { domain: [lo, hi] }, title: "true EF (%)" },
            y: { field: "y", type: "quantitative", scale: { domain: [lo, hi] }, title: "predicted EF (%)" },
          },
        },
        {
          data: { values: ef.target.map((t, i) => ({ x: t, y: ef.predicted[i] })) },
          mark: { type: "circle", size: 22, opacity: 0.65, color: "#1f77b4" },
          encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
        },
      ],
    };
  });
  const svg = await vegaLiteToSvg({ hconcat: panels } as TopLevelSpec);
  const flat = present.filter((b) => isNearlyConstant(results.ef[b]!.predicted, results.ef[b]!.target));
  const caption = [
    `Each dot is one of ${results.ef[present[0]]!.target.length} test clips; the dashed line is a perfect ` +
    "prediction. A probe that ignores the input collapses onto a horizontal line at the mean EF.",
    flat.length > 0
      ? `Here the ${flat.map((b) => BACKBONE_LABELS[b]).join(", ")} probe${flat.length > 1 ? "s'" : "'s"} ` +
        "predictions barely vary (std under a tenth of the targets'): little beyond the mean EF was learnt."
      : "",
  ].filter((sentence) => sentence).join(" ");
  return { ...base, svg, caption };
}
