/**
 * A plain-TypeScript, float64, loop-by-loop ViT written straight from the reference's PyTorch semantics, for tests
 * only (not exported from mod.ts). It shares no code with the GPU model: the convolution is a direct Conv3d loop,
 * RoPE builds the tiled sin/cos vectors and the `(−y2, y1)` pair swap the way `rotate_queries_or_keys` does, and
 * attention is a plain softmax over full score rows. Slow by design; use tiny shapes.
 */

import { headDim, parameterShapes, tokenCount, tokenGrid, type VitConfig } from "./config.ts";
import { resizePositionTable, sincos3d } from "./sincos.ts";

/** Parameter values by state-dict name. */
export type HostParams = Map<string, ArrayLike<number>>;

/** Options of {@link referenceForward}. */
export interface ReferenceOptions {
  /** Kept token indices per sample (the reference's `masks`); all tokens when absent. */
  keep?: number[][];
  /** Blocks whose normalised outputs to return instead of the final output. */
  outLayers?: number[];
}

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 is too coarse here; use the series for small |x| and the continued fraction tail.
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= -ax * ax / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? -r : r;
}

const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));

export function layerNorm(
  x: Float64Array,
  rows: number,
  dim: number,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  eps: number,
) {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < dim; c++) mean += x[r * dim + c];
    mean /= dim;
    let v = 0;
    for (let c = 0; c < dim; c++) v += (x[r * dim + c] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / dim + eps);
    for (let c = 0; c < dim; c++) out[r * dim + c] = (x[r * dim + c] - mean) * inv * w[c] + b[c];
  }
  return out;
}

/** y[r, o] = Σ_i x[r, i]·W[o, i] + bias[o] (PyTorch nn.Linear). */
export function linear(
  x: Float64Array,
  rows: number,
  inF: number,
  w: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  outF: number,
) {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      y[r * outF + o] = s;
    }
  }
  return y;
}

/** `rotate_queries_or_keys` on one d-wide slice at one position, literally: x·cos + swap(x)·sin with tiled freqs. */
export function referenceRotate(x: number[], pos: number): number[] {
  const d = x.length;
  const omega = Array.from({ length: d / 2 }, (_, i) => 1 / 10000 ** (i / (d / 2)));
  const freq = omega.map((o) => pos * o);
  const sin = [...freq.map(Math.sin), ...freq.map(Math.sin)]; // torch .repeat(…, 2): tiled, not interleaved
  const cos = [...freq.map(Math.cos), ...freq.map(Math.cos)];
  const y = new Array<number>(d);
  for (let j = 0; j < d / 2; j++) {
    y[2 * j] = -x[2 * j + 1];
    y[2 * j + 1] = x[2 * j];
  }
  return x.map((v, k) => v * cos[k] + y[k] * sin[k]);
}

/** RoPE of one head vector at token coordinates (t, row, col): three rotated d-wide parts, then the rest. */
export function referenceRope(vec: number[], coords: number[]): number[] {
  const d = 2 * Math.floor(Math.floor(vec.length / 3) / 2);
  if (d === 0) return [...vec];
  return [
    ...coords.flatMap((pos, a) => referenceRotate(vec.slice(a * d, (a + 1) * d), pos)),
    ...vec.slice(3 * d),
  ];
}

/** The reference ViT forward on `video` `[B, C, T, H, W]`; returns `[B, K, D]` (or one array per `outLayers`). */
export function referenceForward(
  config: VitConfig,
  params: HostParams,
  video: ArrayLike<number>,
  videoShape: number[],
  { keep, outLayers }: ReferenceOptions = {},
): Float64Array[] {
  const [B, C, T, H, W] = videoShape;
  const D = config.embedDim;
  const P = config.patchSize;
  const TS = config.tubeletSize;
  const grid = tokenGrid(config, T, H, W);
  const N = tokenCount(grid);
  const shapes = parameterShapes(config);
  for (const [name, shape] of shapes) {
    const v = params.get(name);
    if (!v || v.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`referenceForward: parameter ${name}`);
    }
  }
  const p = (name: string) => params.get(name)!;
  // Conv3d, kernel = stride = (TS, P, P), loop by loop.
  const cw = p("patch_embed.proj.weight");
  const cb = p("patch_embed.proj.bias");
  let tokens = new Float64Array(B * N * D);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const t0 = Math.floor(n / (grid.h * grid.w)) * TS;
      const y0 = Math.floor((n % (grid.h * grid.w)) / grid.w) * P;
      const x0 = (n % grid.w) * P;
      for (let o = 0; o < D; o++) {
        let s = cb[o];
        for (let c = 0; c < C; c++) {
          for (let dt = 0; dt < TS; dt++) {
            for (let dy = 0; dy < P; dy++) {
              for (let dx = 0; dx < P; dx++) {
                const wv = cw[(((o * C + c) * TS + dt) * P + dy) * P + dx];
                s += wv * video[(((b * C + c) * T + t0 + dt) * H + y0 + dy) * W + x0 + dx];
              }
            }
          }
        }
        tokens[(b * N + n) * D + o] = s;
      }
    }
  }
  if (config.positionEncoding === "sincos") {
    const from = tokenGrid(config, config.numFrames, config.imageSize, config.imageSize);
    const table = resizePositionTable(sincos3d(D, from, config.uniformPower), D, from, grid);
    for (let b = 0; b < B; b++) for (let i = 0; i < N * D; i++) tokens[b * N * D + i] += table[i];
  }
  const ids = keep ?? Array.from({ length: B }, () => Array.from({ length: N }, (_, i) => i));
  const K = ids[0].length;
  const gathered = new Float64Array(B * K * D);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < D; c++) gathered[(b * K + k) * D + c] = tokens[(b * N + ids[b][k]) * D + c];
    }
  }
  tokens = gathered;
  const results: Float64Array[] = [];
  const eps = config.layerNormEps;
  const out = referenceBlocks(config, params, tokens, ids, grid, "blocks.", (i, x) => {
    if (outLayers?.includes(i)) results.push(layerNorm(x, B * K, D, p("norm.weight"), p("norm.bias"), eps));
  });
  if (outLayers) return results;
  return [layerNorm(out, B * K, D, p("norm.weight"), p("norm.bias"), eps)];
}

/**
 * The reference's transformer blocks on `tokens` `[B, K, D]` (D = `config.embedDim`) whose clip positions are `ids`
 * (RoPE positions when `config.positionEncoding` is "rope"); parameters `${prefix}${i}.*`. `onBlock` sees each
 * block's output. Returns the output of the last block (before any final norm). Mutates nothing it is given.
 */
export function referenceBlocks(
  config: VitConfig,
  params: HostParams,
  input: Float64Array,
  ids: number[][],
  grid: { t: number; h: number; w: number },
  prefix = "blocks.",
  onBlock?: (block: number, tokens: Float64Array) => void,
): Float64Array {
  const tokens: Float64Array = Float64Array.from(input);
  const B = ids.length;
  const K = ids[0].length;
  const D = config.embedDim;
  const rows = B * K;
  const p = (name: string) => params.get(name)!;
  const heads = config.numHeads;
  const hd = headDim(config);
  const eps = config.layerNormEps;
  for (let i = 0; i < config.depth; i++) {
    const pre = `${prefix}${i}.`;
    const h1 = layerNorm(tokens, rows, D, p(pre + "norm1.weight"), p(pre + "norm1.bias"), eps);
    const qkv = linear(h1, rows, D, p(pre + "attn.qkv.weight"), params.get(pre + "attn.qkv.bias"), 3 * D);
    const attnOut = new Float64Array(rows * D);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < heads; h++) {
        const q: number[][] = [];
        const k: number[][] = [];
        const v: number[][] = [];
        for (let n = 0; n < K; n++) {
          const base = (b * K + n) * 3 * D;
          const get = (which: number) =>
            Array.from({ length: hd }, (_, j) => qkv[base + which * D + h * hd + j]);
          let qv = get(0);
          let kv = get(1);
          if (config.positionEncoding === "rope") {
            const id = ids[b][n];
            const coords = [
              Math.floor(id / (grid.h * grid.w)),
              Math.floor((id % (grid.h * grid.w)) / grid.w),
              id % grid.w,
            ];
            qv = referenceRope(qv, coords);
            kv = referenceRope(kv, coords);
          }
          q.push(qv);
          k.push(kv);
          v.push(get(2));
        }
        for (let n = 0; n < K; n++) {
          const scores = k.map((kv) => kv.reduce((s, x, j) => s + x * q[n][j], 0) / Math.sqrt(hd));
          const m = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - m));
          const z = e.reduce((a, b) => a + b, 0);
          for (let j = 0; j < hd; j++) {
            let s = 0;
            for (let t = 0; t < K; t++) s += (e[t] / z) * v[t][j];
            attnOut[(b * K + n) * D + h * hd + j] = s;
          }
        }
      }
    }
    const proj = linear(attnOut, rows, D, p(pre + "attn.proj.weight"), p(pre + "attn.proj.bias"), D);
    for (let j = 0; j < tokens.length; j++) tokens[j] += proj[j];
    const h2 = layerNorm(tokens, rows, D, p(pre + "norm2.weight"), p(pre + "norm2.bias"), eps);
    const hid = config.mlpHidden;
    const a1 = linear(h2, rows, D, p(pre + "mlp.fc1.weight"), p(pre + "mlp.fc1.bias"), hid).map(gelu);
    const a2 = linear(a1, rows, hid, p(pre + "mlp.fc2.weight"), p(pre + "mlp.fc2.bias"), D);
    for (let j = 0; j < tokens.length; j++) tokens[j] += a2[j];
    onBlock?.(i, tokens);
  }
  return tokens;
}
