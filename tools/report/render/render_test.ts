import assert from "node:assert/strict";
import { decodePng } from "../deps.ts";
import { findFont } from "./fonts.ts";
import { svgToPng } from "./svg_png.ts";
import { scopeSvgIds, vegaLiteToSvg } from "./vega_svg.ts";

Deno.test("a Vega-Lite chart renders headless to SVG and to a PNG at twice its size", async () => {
  const svg = await vegaLiteToSvg({
    width: 100,
    height: 60,
    data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] },
    mark: "line",
    encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
  });
  assert.match(svg, /^<svg/);
  const width = Number(svg.match(/width="(\d+)"/)![1]);
  const png = decodePng(await svgToPng(svg, { font: findFont() }));
  assert.equal(png.width, width * 2);
});

Deno.test("scopeSvgIds prefixes ids and their references", () => {
  const svg = '<clipPath id="clip1"/><g clip-path="url(#clip1)"/><use href="#clip1"/>';
  assert.equal(
    scopeSvgIds(svg, "umap"),
    '<clipPath id="umap-clip1"/><g clip-path="url(#umap-clip1)"/><use href="#umap-clip1"/>',
  );
});

Deno.test("findFont names an unreadable --font and returns undefined when no candidate exists", () => {
  assert.throws(() => findFont("/nonexistent/font.ttf"), /cannot read font \/nonexistent\/font\.ttf/);
  assert.equal(findFont(undefined, ["/nonexistent/a.ttf"]), undefined);
});
