/**
 * Global gradient-norm clipping, entirely on the device.
 *
 * PyTorch's `clip_grad_norm_` returns the norm as a tensor and scales the gradients by a coefficient computed from
 * it; doing the same here, with the coefficient living in device memory, means a training step never waits for a
 * readback. Read the returned norm (e.g. every N steps, batched with the loss) only when you log it.
 */

import { globalNorm, scaleInPlace } from "./ops/param_update.ts";
import type { Tensor } from "./tensor.ts";

/**
 * Scales the gradients of `params` in place so that their global L2 norm is at most `maxNorm`
 * (coefficient `min(maxNorm / (norm + 1e-6), 1)`, as PyTorch). Parameters without a gradient are skipped.
 * Returns the norm before clipping, as a 0-d tensor (owned by the caller).
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const grads: Tensor[] = [];
  for (const p of params) if (p.grad) grads.push(p.grad);
  const { norm, scale } = globalNorm("clipGradNorm", grads, maxNorm);
  for (const g of grads) scaleInPlace(g, scale);
  scale.dispose();
  return norm;
}

/** The global L2 norm of several tensors together (e.g. all gradients), as a 0-d tensor; no readback. */
export function globalL2Norm(tensors: Iterable<Tensor>): Tensor {
  const { norm, scale } = globalNorm("globalL2Norm", [...tensors], 1);
  scale.dispose();
  return norm;
}
