/**
 * Linear and MLP probes (EchoJEPA's `linear_pooler.py`): masked mean-pool over tokens → LayerNorm → Linear, or
 * → Linear(D, D) → GELU → Dropout 0.1 → Linear for the MLP variant. Names: `norm.*`, `linear.*`/`regressor.*`
 * (MLP: `hidden.*` before the head).
 */

import {
  div,
  dropout,
  gelu,
  LayerNorm,
  Linear,
  Module,
  mul,
  reshape,
  sum,
  type Tensor,
} from "@echojepa/tensor";

/** Mean of `x [B, N, D]` over tokens whose `mask [B, N]` is non-zero (all tokens without a mask) → `[B, D]`. */
export function maskedMeanPool(x: Tensor, mask: Tensor | null): Tensor {
  const [B, N] = x.shape;
  if (!mask) return div(sum(x, 1), N);
  const m = reshape(mask, [B, N, 1]);
  return div(sum(mul(x, m), 1), sum(m, 1));
}

/** Options of {@link LinearProbe}. */
export interface LinearProbeOptions {
  /** Token width D. */
  dim: number;
  /** Classes or regression targets. */
  outputs: number;
  /** Head named `linear` (classifier) or `regressor`. */
  kind: "classifier" | "regressor";
  /** Insert Linear(D, D) → GELU → Dropout(0.1) before the head (the MLP probe). */
  mlp?: boolean;
}

/** Mean-pool → LayerNorm → (MLP) → Linear. */
export class LinearProbe extends Module {
  /** LayerNorm of the pooled vector. */
  norm: LayerNorm;
  /** MLP variant's hidden layer. */
  hidden?: Linear;
  /** Classifier head. */
  linear?: Linear;
  /** Regressor head. */
  regressor?: Linear;
  #dropSeed = 0;

  constructor({ dim, outputs, kind, mlp = false }: LinearProbeOptions) {
    super();
    this.norm = new LayerNorm(dim);
    if (mlp) this.hidden = new Linear(dim, dim);
    if (kind === "classifier") this.linear = new Linear(dim, outputs);
    else this.regressor = new Linear(dim, outputs);
  }

  /** Tokens `[B, N, D]` (and optional mask `[B, N]`) → `[B, outputs]`. */
  forward(x: Tensor, keyPaddingMask: Tensor | null = null): Tensor {
    let h = this.norm.forward(maskedMeanPool(x, keyPaddingMask));
    if (this.hidden) {
      h = gelu(this.hidden.forward(h));
      if (this.training) h = dropout(h, 0.1, ++this.#dropSeed);
    }
    return (this.linear ?? this.regressor)!.forward(h);
  }
}
