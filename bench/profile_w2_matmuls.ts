/**
 * Times the matmuls of one W2 training step on their own (forward NT with bias, backward NN and TN), to show
 * what share of the step they take. Usage: deno run -A bench/profile_w2_matmuls.ts
 */
import { backend, init, matmul, noGrad, randn, type Tensor } from "@echojepa/tensor";

await init();
const rows = 2 * 392;
// [in, out] of every Linear of one block, and the patch embedding.
const block: [number, number][] = [[192, 576], [192, 192], [192, 768], [768, 192]];
const layers: { inF: number; outF: number; count: number; inputGrad: boolean }[] = [
  ...block.map(([inF, outF]) => ({ inF, outF, count: 12, inputGrad: true })),
  { inF: 1536, outF: 192, count: 1, inputGrad: false },
];

async function timeIt(fn: () => Tensor, reps = 3): Promise<number> {
  await fn().toArray();
  const t0 = performance.now();
  let last: Tensor | null = null;
  for (let i = 0; i < reps; i++) {
    last?.dispose();
    last = fn();
  }
  await backend().sync();
  last!.dispose();
  return (performance.now() - t0) / reps;
}

let total = 0;
for (const { inF, outF, count, inputGrad } of layers) {
  const x = randn([rows, inF], 1, 0, { seed: 1 });
  const w = randn([outF, inF], 1, 0, { seed: 2 });
  const bias = randn([outF], 1, 0, { seed: 3 });
  const g = randn([rows, outF], 1, 0, { seed: 4 });
  const fwd = await timeIt(() => noGrad(() => matmul(x, w, { transB: true, bias })));
  const dx = inputGrad ? await timeIt(() => noGrad(() => matmul(g, w))) : 0;
  const dw = await timeIt(() => noGrad(() => matmul(g, x, { transA: true })));
  const flops = 2 * rows * inF * outF;
  const line = [fwd, dx, dw].map((ms) => `${ms.toFixed(0)} ms (${(flops / ms / 1e6).toFixed(2)} GFLOP/s)`);
  console.log(`[${rows}×${inF}]·[${inF}×${outF}] ×${count}: fwd ${line[0]}, dX ${line[1]}, dW ${line[2]}`);
  total += count * (fwd + dx + dw);
}
console.log(`matmuls of one W2 step: ${total.toFixed(0)} ms`);
