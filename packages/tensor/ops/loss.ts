/**
 * Losses, each reduced to a scalar mean. L1 and MSE compose elementwise ops; smooth-L1/Huber is one expression with
 * its own gradient; cross-entropy is log-softmax picked at the label through a one-hot mask.
 */

import { expectDType, record, type Tensor } from "../tensor.ts";
import { abs, arange, cast, compare, elementwise, mul, neg, square, sub } from "./elementwise.ts";
import { A, B, bin, div, lit, mul as eMul, S0, select, sub as eSub, un } from "./expr.ts";
import { mean, sum } from "./reduce.ts";
import { reshape } from "./shape.ts";
import { logSoftmax } from "./softmax.ts";

function meanAll(x: Tensor): Tensor {
  return mean(reshape(x, [x.size]), 0);
}

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new RangeError(`${op}: prediction [${a.shape}] and target [${b.shape}] differ`);
  }
}

const ABS_A = un("abs", A);
const INSIDE = bin("lt", ABS_A, S0);
const HALF = lit(0.5);
/** 0.5·d²/β where |d| < β, else |d| − 0.5·β. */
const SMOOTH_L1 = select(INSIDE, div(eMul(eMul(HALF, A), A), S0), eSub(ABS_A, eMul(HALF, S0)));
/** g · (d/β where |d| < β, else sign(d)). */
const SMOOTH_L1_GRAD = eMul(B, select(INSIDE, div(A, S0), un("sign", A)));

/** Mean absolute error (the JEPA latent loss). */
export function l1Loss(pred: Tensor, target: Tensor): Tensor {
  sameShape("l1Loss", pred, target);
  return meanAll(abs(sub(pred, target)));
}

/** Mean squared error. */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  sameShape("mseLoss", pred, target);
  return meanAll(square(sub(pred, target)));
}

/**
 * Smooth L1 (PyTorch `smooth_l1_loss`): 0.5·d²/β where |d| < β, else |d| − 0.5·β. Huber with δ equals
 * β·smoothL1 with β = δ; see {@link huberLoss}.
 */
export function smoothL1Loss(pred: Tensor, target: Tensor, beta = 1): Tensor {
  sameShape("smoothL1Loss", pred, target);
  const d = sub(pred, target);
  const e = elementwise("smooth_l1", SMOOTH_L1, [d], [beta]);
  const out = record(e, "smoothL1", [d], (g) => [
    elementwise("smooth_l1_grad", SMOOTH_L1_GRAD, [d, g], [beta]),
  ]);
  return meanAll(out);
}

/** Huber loss (PyTorch `huber_loss`): 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ). */
export function huberLoss(pred: Tensor, target: Tensor, delta = 1): Tensor {
  return mul(smoothL1Loss(pred, target, delta), delta);
}

/** Cross-entropy of `logits [N, C]` against integer `labels [N]` (i32), averaged over N. */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  expectDType("crossEntropy", labels, "i32");
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new RangeError(
      `crossEntropy: expected logits [N, C] and labels [N], got [${logits.shape}] and [${labels.shape}]`,
    );
  }
  const [n, c] = logits.shape;
  const classes = arange(c);
  const lab = reshape(cast(labels, "f32"), [n, 1]);
  const onehot = compare(classes, "==", lab);
  const picked = sum(reshape(mul(logSoftmax(logits, -1), onehot), [n * c]), 0);
  return mul(neg(picked), 1 / n);
}
