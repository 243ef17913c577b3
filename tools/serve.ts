/**
 * `deno task serve`: builds the page (`deno task bundle`) and serves `dist/web/` on localhost only.
 *
 *     deno task serve [--port 8000] [--no-build]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { numberFlag, runCli } from "./lib/cli.ts";
import { bundle } from "./bundle.ts";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** Serves the files of `dir` (no listing, no paths outside it) on 127.0.0.1:`port`; port 0 picks a free one. */
export function serveStatic(dir: string, port: number): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    const name = path === "/" ? "index.html" : path.slice(1);
    if (name.split("/").some((part) => part === ".." || part.startsWith("."))) {
      return new Response("not found", { status: 404 });
    }
    try {
      const body = await Deno.readFile(`${dir}/${name}`);
      const type = TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string", default: "8000" }, "no-build": { type: "boolean", default: false } },
  });
  const port = numberFlag("port", values.port, { integer: true, min: 0 })!;
  const root = new URL("..", import.meta.url).pathname;
  if (!values["no-build"]) await bundle();
  const server = serveStatic(`${root}dist/web`, port);
  console.log(`serving the page on http://127.0.0.1:${server.addr.port}/ (Ctrl-C stops)`);
}

if (import.meta.main) await runCli("serve", main);
