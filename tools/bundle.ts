/**
 * `deno task bundle`: browser bundles with esbuild, into `dist/` (not committed).
 *
 * - `dist/packages/<name>.js`: every public package as an ES module (one entry per package, shared code in
 *   chunks, so a page that imports one function pulls in only what it needs), plus `.min.js` minified twins.
 * - `dist/web/`: the page (`web/index.html`, `web/style.css`, and `app.js`, a minified classic script so that
 *   `dist/web/index.html` also works when opened as a file).
 *
 * Prints the minified and gzipped size of each output.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { gzipSync } from "node:zlib";
import { runCli } from "./lib/cli.ts";

/** The packages bundled for browsers. */
export const BROWSER_PACKAGES = [
  "core",
  "tensor",
  "vit",
  "probe",
  "augment",
  "video",
  "perturb",
  "phantom",
  "jepa",
];

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Resolves the workspace's `@echojepa/<name>` imports to the packages' sources. */
const workspaceAlias: Record<string, string> = Object.fromEntries(
  BROWSER_PACKAGES.map((p) => [`@echojepa/${p}`, `${root}/packages/${p}/mod.ts`]),
);

/** Size of one output file. */
export interface OutputSize {
  /** Path relative to the repository root. */
  file: string;
  /** Bytes. */
  bytes: number;
  /** Bytes after gzip -9. */
  gzipBytes: number;
}

function sizeOf(path: string): OutputSize {
  const data = Deno.readFileSync(path);
  return {
    file: path.slice(root.length + 1),
    bytes: data.length,
    gzipBytes: gzipSync(data, { level: 9 }).length,
  };
}

const common: esbuild.BuildOptions = {
  bundle: true,
  platform: "browser",
  target: "es2022",
  alias: workspaceAlias,
  absWorkingDir: root,
  logLevel: "warning",
  // Node built-ins must never reach a browser bundle; fail loudly if one is imported.
  external: [],
};

/** Builds everything into `dist/`; returns the sizes of the page script and the minified package bundles. */
export async function bundle(): Promise<OutputSize[]> {
  await Deno.remove(`${root}/dist`, { recursive: true }).catch(() => {});
  const entryPoints = Object.fromEntries(BROWSER_PACKAGES.map((p) => [p, `${root}/packages/${p}/mod.ts`]));
  for (const minify of [false, true]) {
    await esbuild.build({
      ...common,
      entryPoints,
      format: "esm",
      splitting: true,
      minify,
      outdir: `${root}/dist/packages`,
      entryNames: minify ? "[name].min" : "[name]",
      chunkNames: minify ? "chunks/[name]-[hash].min" : "chunks/[name]-[hash]",
    });
  }
  const page = await esbuild.build({
    ...common,
    entryPoints: [`${root}/web/app.ts`],
    format: "iife",
    minify: true,
    metafile: true,
    // The worker pools (augment, clip cache) locate their scripts with import.meta; the page never starts them.
    logOverride: { "empty-import-meta": "silent" },
    outfile: `${root}/dist/web/app.js`,
  });
  for (const f of ["index.html", "style.css"]) {
    await Deno.copyFile(`${root}/web/${f}`, `${root}/dist/web/${f}`);
  }
  await esbuild.stop();
  const inputs = Object.keys(page.metafile!.inputs);
  const forbidden = inputs.filter((i) => /tensorflow|vega|resvg|umap|tools\/report/.test(i));
  if (forbidden.length) throw new Error(`the page bundle pulls in ${forbidden.join(", ")}`);
  const sizes = [sizeOf(`${root}/dist/web/app.js`)];
  // What importing a whole package costs on its own: each built alone, minified, nothing shaken off.
  for (const p of BROWSER_PACKAGES) {
    const alone = await esbuild.build({
      ...common,
      entryPoints: [`${root}/packages/${p}/mod.ts`],
      format: "esm",
      minify: true,
      write: false,
      logOverride: { "empty-import-meta": "silent" },
    });
    const data = alone.outputFiles[0].contents;
    sizes.push({
      file: `@echojepa/${p} (alone)`,
      bytes: data.length,
      gzipBytes: gzipSync(data, { level: 9 }).length,
    });
  }
  await esbuild.stop();
  return sizes;
}

async function main(_args: string[]): Promise<void> {
  const sizes = await bundle();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log("file                                   minified    gzipped");
  for (const s of sizes) {
    console.log(`${s.file.padEnd(38)} ${kb(s.bytes).padStart(10)} ${kb(s.gzipBytes).padStart(10)}`);
  }
  console.log();
  console.log(`page: open dist/web/index.html, or run \`deno task serve\``);
}

if (import.meta.main) await runCli("bundle", main);
