/**
 * Test helpers: running a test on every backend and comparing with the reference backend (the jax-js discipline),
 * gradient checking by central finite differences, and array comparison.
 *
 * In a gradient check all perturbed forward passes are recorded first and read back together, so a check costs one
 * device round trip instead of one per element (each WebGPU round trip costs ≥10 ms in Deno).
 */

import { backward } from "./autograd.ts";
import { tensor } from "./creation.ts";
import { mul } from "./ops/elementwise.ts";
import { sum } from "./ops/reduce.ts";
import { reshape } from "./ops/shape.ts";
import { noGrad, type Shape, shapeSize, type Tensor, tidy } from "./tensor.ts";
import { Random } from "@echojepa/core";
import type { Backend, BackendName } from "./backends/backend.ts";
import { backend, getBackend, registeredBackends, setCurrentBackend } from "./backends/registry.ts";
import { WebGPUBackend } from "./backends/webgpu/webgpu_backend.ts";

/**
 * The backends tests run on: `ECHOJEPA_TEST_BACKENDS` (comma-separated) or every registered backend, keeping those
 * that start on this machine (WebGPU needs an adapter).
 */
export async function availableBackends(): Promise<BackendName[]> {
  let requested: string | undefined;
  try {
    requested = Deno.env.get("ECHOJEPA_TEST_BACKENDS");
  } catch {
    requested = undefined;
  }
  const names = requested
    ? (requested.split(",").map((s) => s.trim()) as BackendName[])
    : registeredBackends();
  const ok: BackendName[] = [];
  for (const name of names) {
    try {
      await getBackend(name);
      ok.push(name);
    } catch (e) {
      if (requested) throw e;
    }
  }
  return ok;
}

const TEST_BACKENDS: BackendName[] = await availableBackends();

/** Runs `fn` with `b` as the current backend, restoring the previous one afterwards (even on error). */
export async function withBackend<T>(b: Backend, fn: () => T | Promise<T>): Promise<T> {
  const prev = setCurrentBackend(b);
  try {
    return await fn();
  } finally {
    setCurrentBackend(prev);
  }
}

/** What a {@link backendTest} body receives. */
export interface BackendTestContext {
  /** The backend under test (also the current backend while the body runs). */
  backend: Backend;
  /**
   * Runs `fn` on the reference backend and returns its result: build inputs there from host data and read the
   * outputs back inside `fn` (tensors cannot cross backends).
   */
  onReference<T>(fn: () => T | Promise<T>): Promise<T>;
  /**
   * Runs `build` on the backend under test and on the reference backend, reads every tensor it returns and checks
   * they agree (default atol 1e-5, rtol 1e-4). Returns the tested backend's values.
   */
  matchesReference(
    build: () => Tensor | Tensor[],
    options?: { atol?: number; rtol?: number; label?: string },
  ): Promise<(Float32Array | Int32Array | Uint32Array)[]>;
}

/** Options of {@link backendTest}. */
export interface BackendTestOptions {
  /** Backends to skip (e.g. a test of one backend's own kernel variants). */
  skip?: BackendName[];
  /** Run only on these backends. */
  only?: BackendName[];
}

async function readAll(build: () => Tensor | Tensor[]): Promise<(Float32Array | Int32Array | Uint32Array)[]> {
  return await tidy(async () => {
    const out = build();
    return await Promise.all((Array.isArray(out) ? out : [out]).map((t) => t.toArray()));
  });
}

/**
 * Registers `fn` as one `Deno.test` per available backend, named `name [backend]`; inside, that backend is current,
 * and the context compares with the reference backend. The reference backend is itself among those tested (its
 * gradient checks and hand-computed expectations keep the oracle honest).
 */
export function backendTest(
  name: string,
  fn: (ctx: BackendTestContext) => void | Promise<void>,
  options: BackendTestOptions = {},
): void {
  for (const b of TEST_BACKENDS) {
    const ignore = (options.only !== undefined && !options.only.includes(b)) ||
      (options.skip ?? []).includes(b);
    Deno.test({
      name: `${name} [${b}]`,
      ignore,
      fn: async () => {
        const be = await getBackend(b);
        const reference = await getBackend("reference");
        const onReference = <T>(f: () => T | Promise<T>): Promise<T> => withBackend(reference, f);
        const ctx: BackendTestContext = {
          backend: be,
          onReference,
          matchesReference: async (build, { atol = 1e-5, rtol = 1e-4, label = name } = {}) => {
            const expected = await onReference(() => readAll(build));
            const actual = await withBackend(be, () => readAll(build));
            actual.forEach((a, i) =>
              assertClose(a, expected[i], { atol, rtol, label: `${label} (output ${i})` })
            );
            return actual;
          },
        };
        await withBackend(be, () => fn(ctx));
      },
    });
  }
}

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
