/** The blocks' MLP: Linear → exact GELU → Linear (the reference's `MLP`, names `fc1`, `fc2`). */

import { gelu, Linear, Module, type Tensor } from "@echojepa/tensor";

/** Two-layer perceptron with exact (erf) GELU. */
export class Mlp extends Module {
  /** `[hidden, D]`. */
  fc1: Linear;
  /** `[D, hidden]`. */
  fc2: Linear;
  constructor(dim: number, hidden: number) {
    super();
    this.fc1 = new Linear(dim, hidden);
    this.fc2 = new Linear(hidden, dim);
  }

  /** `[..., D]` → `[..., D]`. */
  forward(x: Tensor): Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x)));
  }
}
