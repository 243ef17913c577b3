/**
 * k-nearest-neighbour classification on frozen, pooled features: a probe with no trained parameters, so a
 * ranking of backbones that only one trained probe shows up as disagreement with it.
 *
 * Similarity is cosine (features are standardised first); the vote is weighted by `exp(similarity / temperature)`
 * as in the DINO / V-JEPA kNN evaluations, which breaks ties by closeness.
 */

/** Options of {@link knnClassify}. */
export interface KnnOptions {
  /** Neighbours that vote (default 20, capped at the training set size). */
  k?: number;
  /** Vote temperature (default 0.07). */
  temperature?: number;
}

/**
 * Predicts a class for each query row. `train` and `query` are row-major `[n, dim]` vectors; `trainLabels` are
 * integer classes `0..numClasses−1`. Returns one predicted class per query row.
 */
export function knnClassify(
  train: Float32Array,
  trainLabels: ArrayLike<number>,
  query: Float32Array,
  dim: number,
  numClasses: number,
  { k = 20, temperature = 0.07 }: KnnOptions = {},
): number[] {
  const n = trainLabels.length;
  if (n === 0) throw new RangeError("knnClassify: empty training set");
  if (train.length !== n * dim) throw new RangeError(`knnClassify: ${train.length} values for ${n} × ${dim}`);
  if (query.length % dim !== 0) {
    throw new RangeError(`knnClassify: query length ${query.length} not a multiple of ${dim}`);
  }
  const kk = Math.min(k, n);
  const trainUnit = unitRows(train, dim);
  const queryUnit = unitRows(query, dim);
  const q = query.length / dim;
  const predictions: number[] = [];
  const sims = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += queryUnit[i * dim + c] * trainUnit[j * dim + c];
      sims[j] = dot;
      order[j] = j;
    }
    // Stable order (index breaks equal similarities) so results do not depend on the sort's internals.
    const nearest = Array.from(order).sort((a, b) => sims[b] - sims[a] || a - b).slice(0, kk);
    const votes = new Float64Array(numClasses);
    for (const j of nearest) votes[trainLabels[j]] += Math.exp(sims[j] / temperature);
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
    predictions.push(best);
  }
  return predictions;
}

function unitRows(x: Float32Array, dim: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += dim) {
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += x[r + c] * x[r + c];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < dim; c++) out[r + c] = x[r + c] * inv;
  }
  return out;
}
