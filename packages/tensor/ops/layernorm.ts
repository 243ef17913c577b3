/**
 * LayerNorm over the last axis, with and without affine parameters.
 *
 * The forward kernel normalises each row (two-pass mean then variance, which stays accurate when the mean is large) and saves the row mean and 1/σ for the backward. The backward kernel computes dx per row from the
 * saved statistics; dγ and dβ are column sums composed from the elementwise and reduce families.
 */

import { backend, f32Bits, grid1d } from "../backend.ts";
import { expectDType, record, Tensor } from "../tensor.ts";
import { elementwise } from "./elementwise.ts";
import { sumToShape } from "./reduce.ts";

/**
 * Rows are handled either by a workgroup of 64 lanes with a tree reduction (long rows), or by one invocation each
 * (short rows): on a software adapter barriers cost more than the lanes save, and short rows leave most lanes idle.
 */
const LANES = 64;
const PER_THREAD_MAX_D = 256;

/** Row index, lane and lane stride, and the row reduction, for either mode. */
function rowPrelude(cooperative: boolean): { header: string; start: string } {
  if (!cooperative) {
    return {
      header: "fn row_sum(v: f32, lid: u32) -> f32 { return v; }",
      start: `  let row = gid.x + gid.y * nwg.x * ${LANES}u;
  if (row >= p.rows) { return; }
  let lid = 0u;
  let stride = 1u;`,
    };
  }
  return {
    header: `var<workgroup> part: array<f32, ${LANES}>;
fn row_sum(v: f32, lid: u32) -> f32 {
  part[lid] = v;
  workgroupBarrier();
  for (var s = ${LANES / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}`,
    start: `  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let lid = lid3.x;
  let stride = ${LANES}u;`,
  };
}

const ENTRY = `@compute @workgroup_size(${LANES})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {`;

function forwardSource(cooperative: boolean): string {
  const { header, start } = rowPrelude(cooperative);
  return /* wgsl */ `
struct Params { rows: u32, d: u32, eps: f32, affine: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd_out: array<f32>;
${header}
${ENTRY}
${start}
  let base = row * p.d;
  var s = 0.0;
  for (var j = lid; j < p.d; j += stride) { s += x[base + j]; }
  let mean = row_sum(s, lid) / f32(p.d);
  var q = 0.0;
  for (var j = lid; j < p.d; j += stride) { let c = x[base + j] - mean; q += c * c; }
  let rstd = inverseSqrt(row_sum(q, lid) / f32(p.d) + p.eps);
  for (var j = lid; j < p.d; j += stride) {
    let n = (x[base + j] - mean) * rstd;
    y[base + j] = select(n, n * gamma[j] + beta[j], p.affine != 0u);
  }
  if (lid == 0u) { mean_out[row] = mean; rstd_out[row] = rstd; }
}`;
}

function backwardSource(cooperative: boolean): string {
  const { header, start } = rowPrelude(cooperative);
  return /* wgsl */ `
struct Params { rows: u32, d: u32, eps: f32, affine: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> mean_in: array<f32>;
@group(0) @binding(4) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(5) var<storage, read> g: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
${header}
${ENTRY}
${start}
  let base = row * p.d;
  let mean = mean_in[row];
  let rstd = rstd_in[row];
  var a = 0.0;
  var b = 0.0;
  for (var j = lid; j < p.d; j += stride) {
    let dxhat = g[base + j] * select(1.0, gamma[j], p.affine != 0u);
    a += dxhat;
    b += dxhat * (x[base + j] - mean) * rstd;
  }
  let c2 = row_sum(a, lid) / f32(p.d);
  let c1 = row_sum(b, lid) / f32(p.d);
  for (var j = lid; j < p.d; j += stride) {
    let dxhat = g[base + j] * select(1.0, gamma[j], p.affine != 0u);
    let xhat = (x[base + j] - mean) * rstd;
    dx[base + j] = (dxhat - xhat * c1 - c2) * rstd;
  }
}`;
}

const KERNELS = {
  forward: [forwardSource(false), forwardSource(true)],
  backward: [backwardSource(false), backwardSource(true)],
};

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
  const rows = x.size / d;
  const y = Tensor.empty(x.shape);
  const statShape = [...x.shape.slice(0, -1), 1];
  const mean = Tensor.empty(statShape);
  const rstd = Tensor.empty(statShape);
  // Unused affine bindings get the input buffer: the kernel never reads them when affine is 0.
  const gBuf = weight ? weight.buffer("layerNorm") : x.buffer();
  const bBuf = bias ? bias.buffer("layerNorm") : x.buffer();
  const params = [rows, d, f32Bits(eps), affine ? 1 : 0];
  const cooperative = d > PER_THREAD_MAX_D ? 1 : 0;
  const [gx, gy] = cooperative ? grid1d(rows, 1) : grid1d(rows, LANES);
  backend().dispatch(
    "layernorm",
    KERNELS.forward[cooperative],
    [x.buffer(), gBuf, bBuf],
    [y.buffer(), mean.buffer(), rstd.buffer()],
    params,
    [gx, gy],
  );
  const inputs = affine ? [x, weight!, bias!] : [x];
  const out = record(y, "layerNorm", inputs, (g) => {
    const dx = x.requiresGrad ? Tensor.empty(x.shape) : null;
    if (dx) {
      backend().dispatch(
        "layernorm_grad",
        KERNELS.backward[cooperative],
        [x.buffer(), gBuf, mean.buffer(), rstd.buffer(), g.buffer()],
        [dx.buffer()],
        params,
        [gx, gy],
      );
    }
    if (!affine) return [dx];
    const xhatG = elementwise("layernorm_dgamma", "(a - b) * c * d", [x, mean, rstd, g]);
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
