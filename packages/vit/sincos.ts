/**
 * The fixed 3-D sin-cos absolute position embedding of V-JEPA 1 (`get_3d_sincos_pos_embed` in the reference's
 * `src/models/utils/pos_embs.py`) and its resizing to other clip sizes (`interpolate_pos_encoding`).
 *
 * Computed on the host in float64: the table is a constant of the architecture, built once per grid size.
 */

import type { TokenGrid } from "./config.ts";

/**
 * 1-D embedding of integer positions: for each position, `[sin(pos·ω_0) … sin(pos·ω_{k−1}), cos(pos·ω_0) …]`
 * with `k = dim/2` and `ω_i = 10000^(−i/k)`. Returns `positions.length` rows of `dim` values.
 */
export function sincos1d(dim: number, positions: ArrayLike<number>): Float64Array {
  if (dim % 2 !== 0) throw new RangeError(`sincos1d: dim ${dim} must be even`);
  const k = dim / 2;
  const out = new Float64Array(positions.length * dim);
  for (let m = 0; m < positions.length; m++) {
    for (let i = 0; i < k; i++) {
      const a = positions[m] / 10000 ** (i / k);
      out[m * dim + i] = Math.sin(a);
      out[m * dim + k + i] = Math.cos(a);
    }
  }
  return out;
}

/**
 * The `[N, D]` table (N = t·h·w tokens in raster order) of the reference's `get_3d_sincos_pos_embed`: per token the
 * concatenation `[embed(t) | embed(row) | embed(col)]`, truncated to D. With `uniformPower` each part has
 * `2·ceil(D/6)` dims; otherwise time gets D/2 and height and width D/4 each.
 */
export function sincos3d(embedDim: number, grid: TokenGrid, uniformPower = true): Float32Array {
  const dt = uniformPower ? 2 * Math.ceil(embedDim / 6) : Math.floor(embedDim / 2);
  const dh = uniformPower ? dt : Math.floor(embedDim / 4);
  const dw = dh;
  if (dt + dh + dw < embedDim) {
    throw new RangeError(`sincos3d: embedDim ${embedDim} must divide by 4 without uniformPower`);
  }
  const n = grid.t * grid.h * grid.w;
  const ts = new Float64Array(n);
  const hs = new Float64Array(n);
  const ws = new Float64Array(n);
  for (let id = 0; id < n; id++) {
    ts[id] = Math.floor(id / (grid.h * grid.w));
    hs[id] = Math.floor((id % (grid.h * grid.w)) / grid.w);
    ws[id] = id % grid.w;
  }
  const parts: [Float64Array, number][] = [
    [sincos1d(dt, ts), dt],
    [sincos1d(dh, hs), dh],
    [sincos1d(dw, ws), dw],
  ];
  const out = new Float32Array(n * embedDim);
  for (let id = 0; id < n; id++) {
    let c = 0;
    for (const [table, width] of parts) {
      for (let j = 0; j < width && c < embedDim; j++, c++) out[id * embedDim + c] = table[id * width + j];
    }
  }
  return out;
}

/**
 * Resizes a `[N, D]` table from grid `from` to grid `to`, as the reference's `interpolate_pos_encoding`:
 * unchanged when the grids are equal; the leading `to.t` time slices when only time is shorter; otherwise
 * trilinear resampling with `align_corners=False` (PyTorch `F.interpolate(mode="trilinear")`).
 */
export function resizePositionTable(
  table: Float32Array,
  dim: number,
  from: TokenGrid,
  to: TokenGrid,
): Float32Array {
  const nFrom = from.t * from.h * from.w;
  if (table.length !== nFrom * dim) {
    throw new RangeError(
      `resizePositionTable: table of ${table.length} values is not [${nFrom}, ${dim}] for grid ` +
        `${from.t}×${from.h}×${from.w}`,
    );
  }
  if (to.t === from.t && to.h === from.h && to.w === from.w) return table;
  if (to.h === from.h && to.w === from.w && to.t < from.t) return table.slice(0, to.t * to.h * to.w * dim);
  const axis = (outSize: number, inSize: number) => {
    // Source coordinate of each output index: (i + 0.5)·in/out − 0.5, clamped at 0 (PyTorch's convention).
    const lo = new Int32Array(outSize);
    const hi = new Int32Array(outSize);
    const frac = new Float64Array(outSize);
    for (let i = 0; i < outSize; i++) {
      const src = Math.max((i + 0.5) * (inSize / outSize) - 0.5, 0);
      lo[i] = Math.min(Math.floor(src), inSize - 1);
      hi[i] = Math.min(lo[i] + 1, inSize - 1);
      frac[i] = src - lo[i];
    }
    return { lo, hi, frac };
  };
  const at = axis(to.t, from.t);
  const ah = axis(to.h, from.h);
  const aw = axis(to.w, from.w);
  const out = new Float32Array(to.t * to.h * to.w * dim);
  const src = (t: number, h: number, w: number) => ((t * from.h + h) * from.w + w) * dim;
  for (let t = 0; t < to.t; t++) {
    for (let h = 0; h < to.h; h++) {
      for (let w = 0; w < to.w; w++) {
        const o = ((t * to.h + h) * to.w + w) * dim;
        for (const [ti, tw] of [[at.lo[t], 1 - at.frac[t]], [at.hi[t], at.frac[t]]]) {
          for (const [hi, hw] of [[ah.lo[h], 1 - ah.frac[h]], [ah.hi[h], ah.frac[h]]]) {
            for (const [wi, ww] of [[aw.lo[w], 1 - aw.frac[w]], [aw.hi[w], aw.frac[w]]]) {
              const weight = tw * hw * ww;
              if (weight === 0) continue;
              const s = src(ti, hi, wi);
              for (let c = 0; c < dim; c++) out[o + c] += weight * table[s + c];
            }
          }
        }
      }
    }
  }
  return out;
}
