/**
 * LayerNorm over the last axis, with and without affine parameters.
 *
 * The backend's forward kernel normalises each row and saves the row mean and 1/σ for the backward, whose kernel
 * computes dx from them; dγ and dβ are column sums composed from the elementwise and reduce kernels.
 */

import { backend } from "../backends/registry.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { elementwise } from "./elementwise.ts";
import { A, B, C, D, mul, sub } from "./expr.ts";
import { sumToShape } from "./reduce.ts";

/** (x − mean) · rstd · g: the per-element term of dγ. */
const DGAMMA_TERM = mul(mul(sub(A, B), C), D);

/**
 * Normalises `x` over its last axis to zero mean and unit variance (biased), then applies `weight` and `bias` when
 * given (both or neither). PyTorch's `nn.LayerNorm` uses eps 1e-5; the ViT blocks use 1e-6.
 */
export function layerNorm(x: Tensor, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  expectDType("layerNorm", x, "f32");
  const d = x.shape[x.rank - 1];
  const affine = Boolean(weight);
  if (Boolean(weight) !== Boolean(bias)) throw new Error("layerNorm: pass both weight and bias, or neither");
  for (const p of [weight, bias]) {
    if (p && (p.rank !== 1 || p.shape[0] !== d)) {
      throw new RangeError(`layerNorm: parameter [${p.shape}] does not match last axis ${d} of [${x.shape}]`);
    }
  }
  const rows = d === 0 ? 0 : x.size / d;
  const y = Tensor.empty(x.shape);
  const statShape = [...x.shape.slice(0, -1), 1];
  const mean = Tensor.empty(statShape);
  const rstd = Tensor.empty(statShape);
  const w = weight ? weight.handle("layerNorm") : null;
  if (rows > 0) {
    backend().layerNorm({
      x: x.handle(),
      weight: w,
      bias: bias ? bias.handle("layerNorm") : null,
      out: y.handle(),
      mean: mean.handle(),
      rstd: rstd.handle(),
      rows,
      d,
      eps,
    });
  }
  const inputs = affine ? [x, weight!, bias!] : [x];
  const out = record(y, "layerNorm", inputs, (g) => {
    const dx = x.requiresGrad ? Tensor.empty(x.shape) : null;
    if (dx && rows > 0) {
      backend().layerNormBackward({
        x: x.handle("layerNorm backward"),
        weight: weight ? weight.handle("layerNorm backward") : null,
        mean: mean.handle(),
        rstd: rstd.handle(),
        g: g.handle("layerNorm backward"),
        dx: dx.handle(),
        rows,
        d,
      });
    }
    if (!affine) return [dx];
    const xhatG = elementwise("layernorm_dgamma", DGAMMA_TERM, [x, mean, rstd, g]);
    const dGamma = weight!.requiresGrad ? sumToShape(xhatG, [d]) : null;
    const dBeta = bias!.requiresGrad ? sumToShape(g, [d]) : null;
    if (dGamma !== xhatG) xhatG.dispose();
    return [dx, dGamma, dBeta === g ? g.view(g.shape) : dBeta];
  });
  // The statistics live as long as the output's tape entry needs them.
  if (!out.node) {
    mean.dispose();
    rstd.dispose();
  }
  return out;
}
