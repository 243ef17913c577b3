/**
 * Vega-Lite spec → SVG string, rendered headless by Vega (no DOM, no canvas), with the report's shared look.
 *
 * @module
 */

import { type TopLevelSpec, vega, vegaLite } from "../deps.ts";

/** The font stack of every chart: DejaVu Sans first, as the PNG renderer is given that font. */
export const CHART_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** Shared chart styling (merged under each spec's own config). */
const BASE_CONFIG = {
  font: CHART_FONT,
  background: "white",
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 13, anchor: "start" },
  view: { stroke: "#ddd" },
} as const;

/** Compiles and renders a Vega-Lite spec to a standalone SVG document. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = vegaLite.compile(withConfig).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Makes the ids of an SVG unique within a page (clip paths, gradients), so that several inline SVGs never point at
 * each other's definitions.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id) => `href="#${prefix}-${id}"`);
}
