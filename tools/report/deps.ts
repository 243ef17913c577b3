/**
 * The report's npm dependencies, pinned in one place (tools/ has no import map of its own): Vega-Lite compiles
 * chart specs, Vega renders them headless to SVG, resvg (WebAssembly build, no native addon) rasterises SVG to PNG,
 * umap-js embeds features in 2-D, fast-png encodes and decodes PNG (the team's PNG library).
 *
 * @module
 */

export * as vega from "npm:vega@^6.4.0";
export * as vegaLite from "npm:vega-lite@^6.5.0";
export type { TopLevelSpec } from "npm:vega-lite@^6.5.0";
export { initWasm as initResvgWasm, Resvg } from "npm:@resvg/resvg-wasm@^2.6.2";
export { UMAP } from "npm:umap-js@^1.4.0";
export { decode as decodePng, encode as encodePng } from "npm:fast-png@^8";

/** Where resvg's WebAssembly binary lies: beside the package's entry module (in node_modules or Deno's cache). */
export function resvgWasmUrl(): URL {
  return new URL("index_bg.wasm", import.meta.resolve("npm:@resvg/resvg-wasm@^2.6.2"));
}
