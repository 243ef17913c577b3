/**
 * A {@link Figure} as inline SVG (ids scoped to the figure, so several charts share a page safely) with its caption,
 * or a note saying what data is missing.
 *
 * @module
 */

import type { Figure } from "../figure.ts";
import { scopeSvgIds } from "../render/vega_svg.ts";
import { escapeHtml } from "./escape.ts";

/** Renders one figure section. */
export function figureHtml(figure: Figure): string {
  const title = `<h3>${escapeHtml(figure.title)}</h3>`;
  if (!figure.svg) {
    return `<section class="figure" id="${escapeHtml(figure.id)}">${title}` +
      `<p class="missing">${escapeHtml(figure.missing ?? "Nothing to show yet.")}</p></section>`;
  }
  const svg = scopeSvgIds(figure.svg.replace(/^<\?xml[^>]*>\s*/, ""), figure.id);
  return [
    `<section class="figure" id="${escapeHtml(figure.id)}">`,
    title,
    `<figure>${svg}<figcaption>${escapeHtml(figure.caption)} ` +
    `<a href="${escapeHtml(figure.id)}.png">PNG</a></figcaption></figure>`,
    `</section>`,
  ].join("\n");
}
