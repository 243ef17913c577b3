/**
 * The JPEG zigzag order shared by the baseline encoder and decoder.
 *
 * @module
 */

/** Natural (row-major) index of each zigzag position. */
export const ZIGZAG: Uint8Array = (() => {
  const order = new Uint8Array(64);
  let k = 0;
  for (let s = 0; s < 15; s++) {
    const lo = Math.max(0, s - 7);
    const hi = Math.min(s, 7);
    if (s % 2 === 1) { for (let row = lo; row <= hi; row++) order[k++] = row * 8 + (s - row); }
    else for (let row = hi; row >= lo; row--) order[k++] = row * 8 + (s - row);
  }
  return order;
})();
