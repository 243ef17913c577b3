/**
 * Benchmarks the encoder on the current WebGPU adapter: forward + backward of ViT-S and forward of ViT-L on
 * 16-frame clips, median of `--reps` timed runs after `--warmup` untimed ones (which compile the kernels).
 * `--depth N` keeps only the first N blocks, for adapters too slow to run the whole model (software rasterisers):
 * the report then also gives the per-block time and the full-depth extrapolation.
 *
 *   deno run -A packages/vit/vit_bench.ts [--size 224] [--frames 16] [--reps 3] [--warmup 1] [--models small,large]
 *     [--depth N]
 *
 * Prints one JSON line per measurement (and a Markdown row for BENCHMARKS.md).
 */

import { parseArgs } from "node:util";
import { backend, backward, describeBackend, init, mean, noGrad, randn, tidy } from "@echojepa/tensor";
import { tokenCount, tokenGrid, VisionTransformer, vitConfig, type VitVariant } from "./mod.ts";

const args = parseArgs({
  options: {
    size: { type: "string", default: "224" },
    frames: { type: "string", default: "16" },
    reps: { type: "string", default: "3" },
    models: { type: "string", default: "small,large" },
    batch: { type: "string", default: "1" },
    warmup: { type: "string", default: "1" },
    depth: { type: "string" },
  },
});
const size = Number(args.values.size);
const frames = Number(args.values.frames);
const reps = Number(args.values.reps);
const batch = Number(args.values.batch);
const warmup = Number(args.values.warmup);
const depth = args.values.depth === undefined ? undefined : Number(args.values.depth);

await init();
const b = backend();
const adapter = describeBackend(b);

async function time(fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn(); // kernel compilation and pool growth
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  return ms[Math.floor(ms.length / 2)];
}

for (const name of args.values.models!.split(",") as VitVariant[]) {
  const config = vitConfig(name, depth === undefined ? {} : { depth });
  const fullDepth = vitConfig(name).depth;
  const model = new VisionTransformer(config);
  const shape = [batch, 3, frames, size, size];
  const tokens = tokenCount(tokenGrid(config, frames, size, size));
  const clip = randn(shape);
  const forwardMs = await time(async () => {
    const out = noGrad(() => model.forward(clip));
    await out.toArray().then(() => out.dispose());
  });
  report(name, "forward", tokens, forwardMs, config.depth, fullDepth);
  if (name === "small" || name === "tiny" || name === "base") {
    const trainMs = await time(async () => {
      await tidy(async () => {
        const loss = mean(mean(mean(model.forward(clip), -1), -1), -1);
        backward(loss);
        await b.sync();
      });
      for (const p of model.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
    });
    report(name, "forward+backward", tokens, trainMs, config.depth, fullDepth);
  }
  clip.dispose();
  model.dispose();
}

function report(
  model: string,
  what: string,
  tokens: number,
  ms: number,
  blocks: number,
  fullBlocks: number,
): void {
  const row = { model, what, batch, frames, size, tokens, blocks, ms: Math.round(ms), adapter };
  console.log(JSON.stringify(row));
  const label = `ViT-${model[0].toUpperCase()}${
    blocks < fullBlocks ? ` (first ${blocks} of ${fullBlocks} blocks)` : ""
  }`;
  console.log(
    `| ${label} ${what} | ${batch}×${frames}×${size}×${size} (${tokens} tokens) | ${
      ms.toFixed(0)
    } ms | ${adapter} |`,
  );
}
