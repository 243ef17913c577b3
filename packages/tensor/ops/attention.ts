/**
 * Fused scaled-dot-product attention, forward and backward: softmax(scale · Q Kᵀ, masked) V per (batch, head).
 *
 * The backend's kernels never need the Nq×Nk score matrix (FlashAttention, Dao et al. 2022, 2023): the forward
 * saves only the output and a per-row log-sum-exp, from which the backward recomputes any probability. The
 * log-sum-exp is freed together with the output (and its views), however the caller manages memory.
 *
 * Key-padding mask: `[B, Nk]`, non-zero = attend. A query row whose keys are all masked (a batch element with no
 * valid key) outputs zeros and sends zero gradient to Q, K and V, instead of the NaNs a plain softmax would give.
 */

import { backend } from "../backends/registry.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { padAxis, slice } from "./shape.ts";

/** Options of {@link attention}. */
export interface AttentionOptions {
  /** `[B, Nk]` (f32, i32 or u32): non-zero keys are attended, zero keys are ignored. Default: attend to all. */
  keyPaddingMask?: Tensor;
  /** Multiplier of Q·Kᵀ before the softmax. Default `Dh^-0.5`. */
  scale?: number;
}

/**
 * Scaled-dot-product attention: `softmax(scale · q kᵀ) v` per batch and head, with an optional key-padding mask.
 *
 * q `[B, H, Nq, Dh]`, k and v `[B, H, Nk, Dh]` → `[B, H, Nq, Dh]`. Gradients flow to q, k and v. The Nq×Nk
 * matrix is never materialised (see the module comment). Rows with no valid key output zeros (no NaNs).
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const op = "attention";
  for (const [name, t] of [["q", q], ["k", k], ["v", v]] as const) {
    expectDType(op, t, "f32");
    if (t.rank !== 4) throw new RangeError(`${op}: ${name} must be [B, H, N, Dh], got [${t.shape}]`);
  }
  const [B, H, Nq, Dh] = q.shape;
  const Nk = k.shape[2];
  if (k.shape.join() !== v.shape.join() || k.shape[0] !== B || k.shape[1] !== H || k.shape[3] !== Dh) {
    throw new RangeError(
      `${op}: q [${q.shape}], k [${k.shape}] and v [${v.shape}] must share B, H and Dh, and k and v N`,
    );
  }
  const mask = options.keyPaddingMask;
  if (mask) {
    expectDType(op, mask, "f32", "i32", "u32");
    if (mask.shape.join() !== [B, Nk].join()) {
      throw new RangeError(`${op}: keyPaddingMask must be [B, Nk] = [${B}, ${Nk}], got [${mask.shape}]`);
    }
  }
  if (Nq === 0 || Nk === 0 || Dh === 0) {
    throw new RangeError(
      `${op}: needs at least one query, one key and one feature; got q [${q.shape}], k [${k.shape}]`,
    );
  }
  const scale = options.scale ?? 1 / Math.sqrt(Dh);
  if (!Number.isFinite(scale)) throw new RangeError(`${op}: scale must be finite, got ${scale}`);
  const be = backend();
  const multiple = be.limits.attentionHeadDimMultiple;
  if (Dh % multiple !== 0) return paddedAttention(q, k, v, mask, scale, multiple);
  const dims = { batch: B, heads: H, nq: Nq, nk: Nk, dh: Dh, scale };
  const maskArg = mask ? { handle: mask.handle(op), dtype: mask.dtype } : null;
  const out = Tensor.empty([B, H, Nq, Dh]);
  const lse = be.alloc(B * H * Nq * 4);
  out.attach(lse);
  be.attention({
    ...dims,
    q: q.handle(op),
    k: k.handle(op),
    v: v.handle(op),
    mask: maskArg,
    out: out.handle(),
    lse,
  });
  record(out, op, [q, k, v], (g) => {
    const dq = q.requiresGrad ? Tensor.empty(q.shape) : null;
    const dk = k.requiresGrad ? Tensor.empty(k.shape) : null;
    const dv = v.requiresGrad ? Tensor.empty(v.shape) : null;
    backend().attentionBackward({
      ...dims,
      q: q.handle(op),
      k: k.handle(op),
      v: v.handle(op),
      mask: mask ? { handle: mask.handle(op), dtype: mask.dtype } : null,
      out: out.handle(op),
      lse,
      dout: g.handle(op),
      dq: dq?.handle() ?? null,
      dk: dk?.handle() ?? null,
      dv: dv?.handle() ?? null,
    });
    return [dq, dk, dv];
  });
  return out;
}

/**
 * Head sizes the backend does not take: zero-pad Dh to a multiple (zeros change neither Q·Kᵀ nor the kept columns
 * of the output), run the kernels, and slice the padding off; the pad and slice record their own gradients.
 */
function paddedAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor | undefined,
  scale: number,
  multiple: number,
): Tensor {
  const Dh = q.shape[3];
  const extra = multiple - (Dh % multiple);
  const [qp, kp, vp] = [q, k, v].map((t) => padAxis(t, 3, 0, extra));
  const out = attention(qp, kp, vp, { keyPaddingMask: mask, scale });
  return slice(out, 3, 0, Dh);
}
