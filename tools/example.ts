/**
 * A small end-to-end example: a two-layer GELU MLP learns a fixed random nonlinear map on random data with AdamW,
 * printing the loss as it falls. It exercises the whole tensor stack (matmul, GELU, MSE, autograd, AdamW, tidy) on
 * whatever WebGPU adapter is present.
 *
 *   deno task example [--steps 200] [--hidden 64]
 */

import { parseArgs } from "node:util";
import { numberFlag, runCli } from "./lib/cli.ts";
import {
  AdamW,
  assign,
  backward,
  describeBackend,
  gelu,
  init,
  Linear,
  memoryStats,
  Module,
  mseLoss,
  noGrad,
  randn,
  type Tensor,
  tidy,
} from "@echojepa/tensor";

class Mlp extends Module {
  fc1: Linear;
  fc2: Linear;
  constructor(inF: number, hidden: number, outF: number, seed: number) {
    super();
    this.fc1 = new Linear(inF, hidden, { seed });
    this.fc2 = new Linear(hidden, outF, { seed: seed + 1 });
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x)));
  }
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { steps: { type: "string", default: "200" }, hidden: { type: "string", default: "64" } },
  });
  const steps = numberFlag("steps", values.steps, { integer: true, min: 1 })!;
  const hidden = numberFlag("hidden", values.hidden, { integer: true, min: 1 })!;

  const backend = await init();
  console.log(`backend: ${describeBackend(backend)}`);

  // A teacher network with larger weights defines the target; the student starts from the ViT initialisation.
  const teacher = new Mlp(16, 32, 4, 100);
  noGrad(() => {
    for (const p of teacher.parameters()) {
      const scaled = randn(p.shape, 0.5, 0, { seed: p.id });
      assign(p, scaled);
      scaled.dispose();
    }
  });
  const x = randn([256, 16], 1, 0, { seed: 1 });
  const y = noGrad(() => teacher.forward(x));
  const student = new Mlp(16, hidden, 4, 7);
  const opt = new AdamW(student.parameters(), { lr: 3e-3, weightDecay: 0 });

  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let step = 1; step <= steps; step++) {
    const loss = tidy(() => {
      const l = mseLoss(student.forward(x), y);
      backward(l);
      opt.step();
      opt.zeroGrad();
      return l;
    });
    if (step === 1 || step % 20 === 0) {
      // Read the loss without waiting: the next steps are queued while this one comes back.
      pending.push(
        loss.item().then((v) => {
          console.log(`step ${String(step).padStart(4)}  loss ${v.toFixed(5)}`);
          loss.dispose();
        }),
      );
    } else {
      loss.dispose();
    }
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const mem = memoryStats();
  console.log(
    `${steps} steps in ${seconds.toFixed(1)} s; GPU memory live ${(mem.liveBytes / 1024).toFixed(0)} KiB, ` +
      `peak ${(mem.peakBytes / 1024).toFixed(0)} KiB`,
  );
}

if (import.meta.main) await runCli("example", main);
