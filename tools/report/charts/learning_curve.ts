/**
 * The learning curve over pretraining checkpoints: view accuracy of each objective's probed encoder (JEPA's EMA
 * target, MAE's encoder) at its initialisation and at each kept checkpoint, under the cheap probes (linear, kNN) at
 * 5 labels per view and at all labels. A run that ends where it started shows here whether it was ever better.
 *
 * @module
 */

import type { TopLevelSpec } from "../deps.ts";
import type { Figure } from "../figure.ts";
import { fixed } from "../format.ts";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { RunResults } from "../run_data.ts";

const COLORS = { JEPA: "#1f77b4", MAE: "#ff7f0e" } as const;

/** One row of the plotted data. */
interface CurveRow {
  objective: keyof typeof COLORS;
  budget: string;
  probe: string;
  step: number;
  accuracy: number;
}

/** The learning-curve figure, or a `missing` note when no run kept checkpoints. */
export async function learningCurveFigure(results: RunResults): Promise<Figure> {
  const base = { id: "learning-curve", title: "Learning curve: view accuracy over pretraining checkpoints" };
  const rows: CurveRow[] = [];
  const sentences: string[] = [];
  for (const objective of ["jepa", "mae"] as const) {
    const curve = results.pretraining[objective]?.curve ?? [];
    if (curve.length < 2) continue;
    const name = objective === "jepa" ? "JEPA" : "MAE";
    for (const point of curve) {
      for (const [budget, scores] of Object.entries(point.accuracy)) {
        for (const [probe, accuracy] of Object.entries(scores)) {
          if (typeof accuracy === "number") {
            rows.push({ objective: name, budget, probe, step: point.step, accuracy });
          }
        }
      }
    }
    // The sentence reads the 5-shot linear probe: the few-label setting the paper's claim (b) is about.
    const first = curve[0].accuracy["5-shot"]?.linear, last = curve.at(-1)!.accuracy["5-shot"]?.linear;
    const best = Math.max(...curve.map((p) => p.accuracy["5-shot"]?.linear ?? -Infinity));
    sentences.push(
      `${name} 5-shot linear ${fixed(first, 1)} % at init → ${fixed(last, 1)} % after ${
        curve.at(-1)!.step
      } steps ` +
        `(best ${fixed(best, 1)} %)`,
    );
  }
  if (rows.length === 0) return { ...base, caption: "", missing: "No pretraining checkpoints were kept." };
  const svg = await vegaLiteToSvg({
    data: { values: rows },
    facet: { column: { field: "budget", type: "nominal", title: null, sort: ["5-shot", "100%"] } },
    spec: {
      width: 240,
      height: 170,
      mark: { type: "line", point: { size: 20 }, strokeWidth: 1.5 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "pretraining step" },
        y: { field: "accuracy", type: "quantitative", title: "view accuracy (%)", scale: { zero: false } },
        color: {
          field: "objective",
          type: "nominal",
          scale: { domain: Object.keys(COLORS), range: Object.values(COLORS) },
          title: null,
        },
        // Dash and marker shape both carry the probe, so the legend's symbols differ as the lines do.
        strokeDash: { field: "probe", type: "nominal", title: "probe" },
        shape: { field: "probe", type: "nominal", title: "probe" },
      },
    },
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec);
  const caption =
    `${sentences.join("; ")}. Step 0 is the shared initialisation; each point is the mean over ` +
    "the label draws on the test patients, with the probes' standardisation refitted at every checkpoint.";
  return { ...base, svg, caption };
}
