import assert from "node:assert/strict";
import { silhouetteSamples } from "./silhouette.ts";

Deno.test("silhouetteSamples: tight separate classes near 1, mixed classes near or below 0, singletons 0", () => {
  // Two classes along two directions, slightly spread.
  const tight = new Float32Array([1, 0.01, 1, -0.01, 0.01, 1, -0.01, 1]);
  const s = silhouetteSamples(tight, 2, [0, 0, 1, 1]);
  assert.ok(s.every((v) => v > 0.95), `${s}`);
  const mixed = silhouetteSamples(tight, 2, [0, 1, 0, 1]);
  assert.ok(mixed.every((v) => v < 0), `${mixed}`);
  assert.deepEqual(silhouetteSamples(tight, 2, [0, 0, 0, 1]).slice(3), [0]);
  assert.throws(() => silhouetteSamples(tight, 3, [0, 1]), /values for/);
});
