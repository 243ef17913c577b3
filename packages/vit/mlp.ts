/** The blocks' MLP: Linear → exact GELU → Linear (the reference's `MLP`, names `fc1`, `fc2`). */

import { gelu, Linear, Module, nextInitSeed, type Tensor } from "@echojepa/tensor";
import { InitSeeds } from "./init.ts";

/** Two-layer perceptron with exact (erf) GELU. */
export class Mlp extends Module {
  /** `[hidden, D]`. */
  fc1: Linear;
  /** `[D, hidden]`. */
  fc2: Linear;
  constructor(dim: number, hidden: number, seeds: InitSeeds = new InitSeeds(nextInitSeed())) {
    super();
    this.fc1 = new Linear(dim, hidden, { seed: seeds.next() });
    this.fc2 = new Linear(hidden, dim, { seed: seeds.next() });
  }

  /** `[..., D]` → `[..., D]`. */
  forward(x: Tensor): Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x)));
  }
}
