/** The matmul workload with jax-js's WebAssembly backend (npm `@jax-js/jax`), the CPU peer of the wasm backend. */
import { defaultDevice, init, jit, numpy as np } from "npm:@jax-js/jax@0.1.25";

/** Starts jax-js on its wasm device. */
export async function initJaxjs(): Promise<void> {
  await init("wasm");
  defaultDevice("wasm");
}

/** A `[n, n] · [n, n]` product under `jit`; resolves with the result once computed. */
export function setupMatmulJaxjs(
  a: Float32Array<ArrayBuffer>,
  b: Float32Array<ArrayBuffer>,
  n: number,
): () => Promise<Float32Array> {
  const ja = np.array(a).reshape([n, n]);
  const jb = np.array(b).reshape([n, n]);
  const f = jit((x: np.Array, y: np.Array) => np.matmul(x, y));
  return async () => {
    const c = f(ja.ref, jb.ref);
    return await c.data() as Float32Array;
  };
}
