/**
 * Times the matmul kernel's register tiles on the current adapter (a tuning aid, not part of `deno task bench`).
 * Usage: deno run -A bench/tune_matmul.ts [size=1024] [reps=3]
 */
import { backend, init, randn, Tensor } from "@echojepa/tensor";
import { type MatmulTile, runMatmul, WebGPUBackend } from "../packages/tensor/backends/webgpu/mod.ts";

const be = await init({ backend: "webgpu" });
if (!(be instanceof WebGPUBackend)) throw new Error("tune_matmul: needs the WebGPU backend");
const size = Number(Deno.args[0] ?? 1024);
const reps = Number(Deno.args[1] ?? 3);
console.log(`adapter: ${be.info.device}`);

const TILES: MatmulTile[] = (Deno.env.get("TILES") ? JSON.parse(Deno.env.get("TILES")!) : [
  [8, 2, 8, 8],
  [8, 2, 64, 1],
  [8, 2, 32, 1],
  [8, 2, 16, 1],
  [4, 2, 64, 1],
  [16, 2, 64, 1],
  [8, 4, 32, 1],
  [16, 1, 64, 1],
  [16, 2, 32, 1],
  [8, 1, 64, 1],
]).map(([rows, vecCols, wx, wy]: number[]) => ({ rows, vecCols, wx, wy }));

/** CPU seconds used by this process so far (llvmpipe's threads run in it): robust to other load on the machine. */
function cpuSeconds(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function time(fn: () => Tensor): Promise<[number, number]> {
  const w0 = performance.now();
  const warm = fn();
  await warm.toArray();
  warm.dispose();
  console.log(`  first call (compile + run) ${(performance.now() - w0).toFixed(0)} ms`);
  const ts: number[] = [];
  const c0 = cpuSeconds();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = fn();
    await backend().sync();
    ts.push(performance.now() - t0);
    out.dispose();
  }
  const cpuMs = (cpuSeconds() - c0) * 1000 / reps;
  ts.sort((x, y) => x - y);
  return [ts[Math.floor(ts.length / 2)], cpuMs];
}

const filter = Deno.env.get("FLAGS")?.split(",") ?? ["nn", "nt", "tn"];
const rounds = Number(Deno.env.get("ROUNDS") ?? 1);
for (let round = 0; round < rounds; round++) {
  for (const flags of filter) {
    const transA = flags[0] === "t";
    const transB = flags[1] === "t";
    const m = size, n = size, k = size;
    const a = randn(transA ? [k, m] : [m, k], 1, 0, { seed: 1 });
    const b = randn(transB ? [n, k] : [k, n], 1, 0, { seed: 2 });
    for (const tile of TILES) {
      const pr = { m, n, k, outBatches: 1, accBatch: 1, strideA: 0, strideB: 0 };
      const [ms, cpuMs] = await time(() => {
        const out = Tensor.empty([m, n]);
        const handles = { a: a.handle(), b: b.handle(), bias: null, out: out.handle(), transA, transB };
        runMatmul(be.runtime, { ...pr, ...handles }, tile);
        return out;
      });
      const gflop = 2 * m * n * k / 1e9;
      console.log(
        `${flags} ${Object.values(tile).join("/")}: ${ms.toFixed(0)} ms wall, ${
          (gflop / ms * 1e3).toFixed(2)
        } GFLOP/s; ` +
          `${cpuMs.toFixed(0)} ms CPU, ${(gflop / cpuMs * 1e3).toFixed(2)} GFLOP/CPU-s`,
      );
    }
  }
}
