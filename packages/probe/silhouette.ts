/**
 * Silhouette of labelled embeddings: how much closer each sample is to its own class than to the nearest other
 * class, `(b − a) / max(a, b)` with `a` the mean distance to its own class and `b` the smallest mean distance to
 * another class (Rousseeuw 1987). Per-sample values, so two embeddings of the same samples can be compared with a
 * paired bootstrap; their mean is the usual silhouette score. Distances are cosine (1 − cosine similarity).
 */

/**
 * Silhouette of every row of `vectors` (`[n, dim]` row-major) under `labels`; a sample alone in its class scores 0,
 * as in scikit-learn.
 */
export function silhouetteSamples(vectors: Float32Array, dim: number, labels: ArrayLike<number>): number[] {
  const n = labels.length;
  if (vectors.length !== n * dim) {
    throw new RangeError(`silhouetteSamples: ${vectors.length} values for ${n} × ${dim}`);
  }
  const unit = new Float64Array(vectors.length);
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += vectors[r * dim + c] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < dim; c++) unit[r * dim + c] = vectors[r * dim + c] * inv;
  }
  const classes = [...new Set(Array.from(labels))];
  const sizes = new Map(classes.map((k) => [k, 0]));
  for (let i = 0; i < n; i++) sizes.set(labels[i], sizes.get(labels[i])! + 1);
  const out: number[] = [];
  const sums = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (const k of classes) sums.set(k, 0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += unit[i * dim + c] * unit[j * dim + c];
      sums.set(labels[j], sums.get(labels[j])! + (1 - dot));
    }
    const own = sizes.get(labels[i])!;
    if (own < 2 || classes.length < 2) {
      out.push(0);
      continue;
    }
    const a = sums.get(labels[i])! / (own - 1);
    let b = Infinity;
    for (const k of classes) if (k !== labels[i]) b = Math.min(b, sums.get(k)! / sizes.get(k)!);
    const m = Math.max(a, b);
    out.push(m > 0 ? (b - a) / m : 0);
  }
  return out;
}
