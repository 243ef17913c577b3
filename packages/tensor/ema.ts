/**
 * Exponential moving average of parameters: the JEPA target encoder follows the online encoder with
 * `θ̄ ← m·θ̄ + (1−m)·θ` after every optimizer step. One in-place kernel per tensor; no tape, no allocation.
 */

import { lerpInPlace } from "./ops/param_update.ts";
import type { Tensor } from "./tensor.ts";

/**
 * `target[i] ← momentum·target[i] + (1 − momentum)·online[i]` in place, for each pair (same shapes, same order,
 * e.g. `targetEncoder.parameters()` and `encoder.parameters()`).
 */
export function emaUpdate(target: Tensor[], online: Tensor[], momentum: number): void {
  if (target.length !== online.length) {
    throw new RangeError(`emaUpdate: ${target.length} target tensors but ${online.length} online tensors`);
  }
  if (!(momentum >= 0 && momentum <= 1)) {
    throw new RangeError(`emaUpdate: momentum must be in [0, 1], got ${momentum}`);
  }
  target.forEach((t, i) => {
    if (t.shape.join() !== online[i].shape.join()) {
      throw new RangeError(
        `emaUpdate: tensor ${i}: target [${t.shape}] does not match online [${online[i].shape}]`,
      );
    }
    lerpInPlace(t, online[i], momentum);
  });
}
