/**
 * Pretraining curves of both objectives (their losses live on different scales, so each gets its own panel) and the
 * JEPA collapse monitor: the std of target embeddings across the batch, which falls to ~0 if the encoder collapses.
 *
 * @module
 */

import type { TopLevelSpec } from "../deps.ts";
import { downsample, type Figure } from "../figure.ts";
import { fixed } from "../format.ts";
import { vegaLiteToSvg } from "../render/vega_svg.ts";
import type { RunResults } from "../run_data.ts";

const COLORS = { jepa: "#1f77b4", mae: "#ff7f0e" } as const;

/** Mean of the finite values (a diverged step is stored as NaN, which JSON turns into null). */
function mean(values: readonly (number | null)[]): number {
  const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** "JEPA loss 0.91 → 0.18 over 400 steps" from the first and last tenth of the curve. */
function lossSummary(name: string, history: readonly number[]): string {
  const tenth = Math.max(1, Math.floor(history.length / 10));
  return `${name} loss ${fixed(mean(history.slice(0, tenth)), 3)} → ${
    fixed(mean(history.slice(-tenth)), 3)
  } ` +
    `over ${history.length} steps`;
}

/** The pretraining figure. */
export async function lossFigure(results: RunResults): Promise<Figure> {
  const base = {
    id: "pretraining",
    title: "Pretraining: loss of both objectives and the JEPA collapse monitor",
  };
  const panels: TopLevelSpec[] = [];
  const sentences: string[] = [];
  for (
    const [objective, label] of [["jepa", "JEPA (latent prediction)"], [
      "mae",
      "MAE (pixel reconstruction)",
    ]] as const
  ) {
    const record = results.pretraining[objective];
    if (!record || record.lossHistory.length === 0) continue;
    sentences.push(lossSummary(objective.toUpperCase(), record.lossHistory));
    panels.push({
      title: `${label} loss`,
      width: 240,
      height: 170,
      data: { values: downsample(record.lossHistory, 300).map((p) => ({ step: p.index, loss: p.value })) },
      mark: { type: "line", color: COLORS[objective], strokeWidth: 1.5, clip: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "loss", type: "quantitative", title: "loss", scale: { zero: false } },
      },
    } as TopLevelSpec);
  }
  const monitor = results.pretraining.jepa?.targetStdHistory ?? [];
  if (monitor.length > 0) {
    const stds = monitor.map(([, std]) => std);
    sentences.push(
      `target-embedding std ended at ${fixed(stds.at(-1), 3)} (lowest ${fixed(Math.min(...stds), 3)}; ` +
        "a fall towards 0 would mean representation collapse)",
    );
    panels.push({
      title: "JEPA collapse monitor: target std",
      width: 240,
      height: 170,
      data: { values: monitor.map(([step, std]) => ({ step, std })) },
      mark: { type: "line", color: COLORS.jepa, point: { size: 12 }, strokeWidth: 1.5 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "std", type: "quantitative", title: "std across batch", scale: { zero: true } },
      },
    } as TopLevelSpec);
  }
  if (panels.length === 0) return { ...base, caption: "", missing: "No pretraining records yet." };
  const svg = await vegaLiteToSvg(
    {
      hconcat: panels,
      resolve: { scale: { y: "independent" } },
      config: { axisY: { labelFlush: true } },
    } as TopLevelSpec,
  );
  const caption = `${sentences.join("; ")}. Curves are averaged into at most 300 points. ` +
    "The two losses measure different things (latent vs pixel error) and are not comparable in value.";
  return { ...base, svg, caption };
}
