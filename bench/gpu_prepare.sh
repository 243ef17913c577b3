#!/usr/bin/env bash
# Prepares what bench/gpu.sh needs on a device machine that reaches no network, in folders git ignores:
#   .gpu/deno.xz   this machine's Deno binary, xz-compressed (≈ 40 MB)
#   .gpu/gpu.js    bench/gpu.ts and the packages it uses bundled by esbuild into one file (no npm: at run time)
#   .gl/*.deb      the Vulkan/EGL loaders, downloaded per the device tool's README
# Then run on the device:  run(command="bash bench/gpu.sh", carry=[".gpu", ".gl"], timeout_s=540)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
xz -T0 -6 -c "$(command -v deno)" > .gpu/deno.xz
deno eval '
import * as esbuild from "esbuild";
const root = Deno.cwd();
const names = ["tensor", "vit"];
await esbuild.build({
  entryPoints: [`${root}/bench/gpu.ts`],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outfile: `${root}/.gpu/gpu.js`,
  alias: Object.fromEntries(names.map((p) => [`@echojepa/${p}`, `${root}/packages/${p}/mod.ts`])),
  external: ["node:*"],
  mainFields: ["module", "main"],
  logOverride: { "empty-import-meta": "silent" },
  logLevel: "warning",
});
await esbuild.stop();
'
if [ ! -d .gl ] || ! ls .gl/*.deb > /dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update > /dev/null
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
ls -la .gpu .gl
