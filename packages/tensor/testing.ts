/**
 * Test helpers: gradient checking by central finite differences and array comparison.
 *
 * All perturbed forward passes are recorded first and read back together, so a check costs one GPU round trip
 * instead of one per element (each round trip costs ≥10 ms in Deno).
 */

import { backward } from "./autograd.ts";
import { tensor } from "./creation.ts";
import { mul } from "./ops/elementwise.ts";
import { sum } from "./ops/reduce.ts";
import { reshape } from "./ops/shape.ts";
import { noGrad, type Shape, shapeSize, type Tensor, tidy } from "./tensor.ts";
import { Random } from "./creation.ts";
import { backend } from "./backends/registry.ts";
import { WebGPUBackend } from "./backends/webgpu/webgpu_backend.ts";

/** Number of compiled WebGPU pipelines of the current backend (0 on backends that compile nothing). */
export function pipelineCount(): number {
  const b = backend();
  return b instanceof WebGPUBackend ? b.runtime.pipelineCount : 0;
}

/** Largest |a−b| / (atol + rtol·|b|) over the arrays; ≤ 1 means close. Throws with the worst index otherwise. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4, label = "" }: { atol?: number; rtol?: number; label?: string } = {},
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.length}`);
  }
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Number.isNaN(a) !== Number.isNaN(e)
      ? Infinity
      : Math.abs(a - e) / (atol + rtol * Math.abs(e));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (worst > 1) {
    throw new Error(
      `${label}: mismatch at ${at}: got ${actual[at]}, expected ${
        expected[at]
      } (atol ${atol}, rtol ${rtol}); ` +
        `first values got [${Array.from(actual).slice(0, 6).map((v) => v.toFixed(5))}] ` +
        `expected [${Array.from(expected).slice(0, 6).map((v) => v.toFixed(5))}]`,
    );
  }
}

/** Random host data in [-1, 1) for a shape, seeded. */
export function randomData(shape: Shape, seed: number, scale = 1): Float32Array {
  const r = new Random(seed);
  const d = new Float32Array(shapeSize(shape));
  for (let i = 0; i < d.length; i++) d[i] = (r.next() * 2 - 1) * scale;
  return d;
}

/** Options for {@link gradCheck}. */
export interface GradCheckOptions {
  /** Finite-difference step (default 1e-2; f32 needs a large one). */
  eps?: number;
  /** Absolute tolerance (default 2e-3). */
  atol?: number;
  /** Relative tolerance (default 2e-2). */
  rtol?: number;
  /** Indices of inputs to check (default all). */
  check?: number[];
}

/**
 * Checks the gradients of `fn` at the given inputs against central finite differences of
 * `L = Σ fn(x) ⊙ w` with a fixed random `w`. Returns the analytic gradients.
 */
export async function gradCheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: { data: Float32Array; shape: Shape }[],
  { eps = 1e-2, atol = 2e-3, rtol = 2e-2, check }: GradCheckOptions = {},
): Promise<Float32Array[]> {
  const which = check ?? inputs.map((_, i) => i);
  return await tidy(async () => {
    const xs = inputs.map(({ data, shape }) => tensor(data, shape));
    xs.forEach((x, i) => (x.requiresGrad = which.includes(i)));
    const y = fn(...xs);
    const w = tensor(randomData(y.shape, 12345), y.shape);
    const loss = sum(reshape(mul(y, w), [y.size]), 0);
    backward(loss);
    const lossesPromises: Promise<Float32Array | Int32Array | Uint32Array>[] = [];
    noGrad(() => {
      for (const i of which) {
        const base = inputs[i].data;
        for (let j = 0; j < base.length; j++) {
          for (const sign of [1, -1]) {
            const pert = Float32Array.from(base);
            pert[j] += sign * eps;
            const args = inputs.map((
              inp,
              k,
            ) => (k === i ? tensor(pert, inp.shape) : tensor(inp.data, inp.shape)));
            const out = fn(...args);
            lossesPromises.push(sum(reshape(mul(out, w), [out.size]), 0).toArray());
          }
        }
      }
    });
    const [values, ...analytic] = await Promise.all([
      Promise.all(lossesPromises),
      ...which.map((i) => xs[i].grad!.toArray()),
    ]);
    let at = 0;
    const results: Float32Array[] = [];
    which.forEach((i, n) => {
      const numeric = new Float32Array(inputs[i].data.length);
      for (let j = 0; j < numeric.length; j++) {
        numeric[j] = (values[at][0] - values[at + 1][0]) / (2 * eps);
        at += 2;
      }
      const a = analytic[n] as Float32Array;
      assertClose(a, numeric, { atol, rtol, label: `gradient of input ${i}` });
      results.push(a);
    });
    return results;
  });
}
