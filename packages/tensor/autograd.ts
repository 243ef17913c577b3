/**
 * Reverse-mode autograd over the define-by-run tape (after micrograd): sort the graph that produced `loss`
 * topologically, then sweep it backwards, calling each op's `backward` once with its summed output gradient.
 *
 * Intermediate gradients are disposed as soon as they have been passed on, so backward never holds more than the
 * frontier of gradients. Gradients of leaf tensors that require them accumulate in `.grad` and survive `tidy`.
 */

import { add, full } from "./ops/elementwise.ts";
import { keep, noGrad, type Tensor } from "./tensor.ts";

/**
 * Back-propagates from `loss`. `grad` defaults to 1 and may only be omitted for a one-element `loss`.
 * Leaf tensors with `requiresGrad` receive (or add to) `.grad`.
 */
export function backward(loss: Tensor, grad?: Tensor): void {
  if (!loss.requiresGrad) {
    throw new Error(
      `backward: ${loss} does not require grad (no input of it requires grad, or it was made in noGrad)`,
    );
  }
  if (!grad && loss.size !== 1) {
    throw new Error(`backward: ${loss} is not a scalar; pass the output gradient explicitly`);
  }
  if (grad && grad.shape.join() !== loss.shape.join()) {
    throw new RangeError(`backward: gradient [${grad.shape}] does not match output [${loss.shape}]`);
  }
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep ViTs make recursion depth a real concern.
  const stack: [Tensor, number][] = [[loss, 0]];
  seen.add(loss);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(loss, grad ? grad.view(grad.shape) : full(loss.shape, 1));
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (!t.node) {
        if (t.grad) {
          const sum = add(t.grad, g);
          t.grad.dispose();
          g.dispose();
          t.grad = keep(sum);
        } else {
          t.grad = keep(g);
        }
        continue;
      }
      const { inputs, backward: fn, op } = t.node;
      const inGrads = fn(g);
      if (inGrads.length !== inputs.length) {
        throw new Error(
          `backward of ${op}: returned ${inGrads.length} gradients for ${inputs.length} inputs`,
        );
      }
      inputs.forEach((x, i) => {
        let gi = inGrads[i];
        if (!gi || !x.requiresGrad) {
          if (gi && gi !== g) gi.dispose();
          return;
        }
        if (gi === g) gi = g.view(g.shape);
        if (gi.shape.join() !== x.shape.join()) {
          throw new Error(`backward of ${op}: gradient [${gi.shape}] for input ${i} of shape [${x.shape}]`);
        }
        const prev = grads.get(x);
        if (prev) {
          grads.set(x, add(prev, gi));
          prev.dispose();
          gi.dispose();
        } else {
          grads.set(x, gi);
        }
      });
      g.dispose();
    }
  });
}
