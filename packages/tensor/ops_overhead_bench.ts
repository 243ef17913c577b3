/**
 * Per-op cost at the small shapes the demo runs, where dispatch overhead rather than arithmetic decides:
 * 1000 chained adds of a `[576, 64]` tensor, and 50 forward+backward passes of a `[576, 64]·[64, 192]` linear.
 * Uses only the public API, so the same file times any version of the package (before/after comparisons).
 *
 *   deno run -A packages/tensor/ops_overhead_bench.ts [--reps 5]
 *
 * Prints the backend and the median wall time of each workload.
 */

import { parseArgs } from "node:util";
import { add, backward, init, linear, mean, noGrad, randn, type Tensor, tidy } from "@echojepa/tensor";

const { values } = parseArgs({ options: { reps: { type: "string", default: "5" } } });
const reps = Number(values.reps);
const be = await init();
const info = be.info as unknown as { device?: string; adapter?: string };
console.log(`device: ${info.device ?? info.adapter}`);

async function median(fn: () => Promise<void>): Promise<number> {
  await fn(); // compile and fill the pool
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

const x = randn([576, 64], 1, 0, { seed: 1 });
const adds = await median(async () => {
  const last = noGrad(() =>
    tidy(() => {
      let t: Tensor = x;
      for (let i = 0; i < 1000; i++) t = add(t, 1);
      return t;
    })
  );
  await last.toArray();
  last.dispose();
});
console.log(`1000 chained adds [576, 64]: ${adds.toFixed(1)} ms (${adds.toFixed(1)} µs per add)`);

const w = randn([192, 64], 0.1, 0, { seed: 2 });
const b = randn([192], 0.1, 0, { seed: 3 });
w.requiresGrad = true;
b.requiresGrad = true;
const lin = await median(async () => {
  for (let i = 0; i < 50; i++) {
    tidy(() => backward(mean(mean(linear(x, w, b), -1), 0)));
    w.grad?.dispose();
    b.grad?.dispose();
    w.grad = null;
    b.grad = null;
  }
  await x.toArray();
});
console.log(`50 × linear [576, 64]·[64, 192] forward+backward: ${lin.toFixed(1)} ms`);
