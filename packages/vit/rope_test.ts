import assert from "node:assert/strict";
import { init, noGrad, tensor } from "@echojepa/tensor";
import { assertClose, gradCheck, randomData } from "@echojepa/tensor/testing";
import type { TokenGrid } from "./config.ts";
import { referenceRope } from "./reference_vit.ts";
import { rope3d, splitHeads } from "./rope.ts";

await init();

const GRID: TokenGrid = { t: 2, h: 3, w: 2 };
const coordsOf = (id: number, g: TokenGrid) => [
  Math.floor(id / (g.h * g.w)),
  Math.floor((id % (g.h * g.w)) / g.w),
  id % g.w,
];

/** Host RoPE of x [B, H, N, hd] with token ids [B][N]. */
function hostRope(x: Float32Array, shape: number[], ids: number[][], g: TokenGrid): number[] {
  const [B, H, N, hd] = shape;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let n = 0; n < N; n++) {
        const at = ((b * H + h) * N + n) * hd;
        out.push(...referenceRope(Array.from(x.subarray(at, at + hd)), coordsOf(ids[b][n], g)));
      }
    }
  }
  return out;
}

for (const hd of [12, 14, 5]) {
  Deno.test(`rope3d (head dim ${hd}) matches the reference's tiled-frequency rotation, with and without ids`, async () => {
    const n = GRID.t * GRID.h * GRID.w;
    const shape = [2, 2, n, hd];
    const x = randomData(shape, 3);
    const full = await noGrad(() => rope3d(tensor(x, shape), null, GRID)).toArray();
    const all = [0, 1].map(() => Array.from({ length: n }, (_, i) => i));
    assertClose(full, hostRope(x, shape, all, GRID), { atol: 1e-5, label: "rope full" });
    // Arbitrary ids (tokens shuffled per sample): coordinates must come from the ids, not the row index.
    const ids = [[5, 0, 11, 3, 7, 1, 2, 4, 6, 8, 9, 10], [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]];
    const idT = tensor(Int32Array.from(ids.flat()), [2, n]);
    const shuffled = await noGrad(() => rope3d(tensor(x, shape), idT, GRID)).toArray();
    assertClose(shuffled, hostRope(x, shape, ids, GRID), { atol: 1e-5, label: "rope ids" });
  });
}

Deno.test("rope3d on a masked subset equals rope3d on the full sequence, gathered", async () => {
  const grid: TokenGrid = { t: 2, h: 2, w: 3 };
  const n = 12;
  const hd = 12;
  const shape = [2, 1, n, hd];
  const x = randomData(shape, 9);
  const full = await noGrad(() => rope3d(tensor(x, shape), null, grid)).toArray();
  const keep = [[1, 4, 5, 10], [0, 2, 7, 11]];
  const sub = new Float32Array(2 * keep[0].length * hd);
  keep.forEach((ids, b) =>
    ids.forEach((id, k) => sub.set(x.subarray((b * n + id) * hd, (b * n + id + 1) * hd), (b * 4 + k) * hd))
  );
  const idT = tensor(Int32Array.from(keep.flat()), [2, 4]);
  const masked = await noGrad(() => rope3d(tensor(sub, [2, 1, 4, hd]), idT, grid)).toArray();
  const expected: number[] = [];
  keep.forEach((ids, b) =>
    ids.forEach((id) => expected.push(...full.subarray((b * n + id) * hd, (b * n + id + 1) * hd)))
  );
  assertClose(masked, expected, { atol: 1e-6, label: "masked vs gathered" });
});

Deno.test("rope3d gradient (the transpose of the non-orthogonal quirk map) matches finite differences", async () => {
  const shape = [1, 2, 12, 14];
  const idT = tensor(Int32Array.from([3, 1, 4, 11, 5, 9, 2, 6, 0, 8, 7, 10]), [1, 12]);
  await gradCheck((x) => rope3d(x, idT, GRID), [{ data: randomData(shape, 4), shape }]);
});

Deno.test("rope3d names itself and the shapes on bad input", () => {
  assert.throws(() => rope3d(tensor(new Float32Array(12), [3, 4]), null, GRID), /rope3d.*\[3,4\]/);
  const x = tensor(new Float32Array(24), [1, 1, 2, 12]);
  assert.throws(() => rope3d(x, tensor(Int32Array.from([0, 1, 2]), [1, 3]), GRID), /rope3d: ids \[1,3\]/);
});

Deno.test("splitHeads takes q/k/v out of the fused qkv projection, rotating when given positions", async () => {
  const [B, N, H, hd] = [2, 12, 2, 14];
  const D = H * hd;
  const qkv = randomData([B, N, 3 * D], 31);
  const ids = [[5, 0, 11, 3, 7, 1, 2, 4, 6, 8, 9, 10], [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]];
  const idT = tensor(Int32Array.from(ids.flat()), [B, N]);
  for (const part of [0, 1, 2]) {
    // Host: the reference's unflatten(-1, (3, H, hd)).permute(2, 0, 3, 1, 4)[part], then RoPE.
    const heads = new Float32Array(B * H * N * hd);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let n = 0; n < N; n++) {
          for (let k = 0; k < hd; k++) {
            heads[((b * H + h) * N + n) * hd + k] = qkv[(b * N + n) * 3 * D + part * D + h * hd + k];
          }
        }
      }
    }
    const plain = await noGrad(() => splitHeads(tensor(qkv, [B, N, 3 * D]), part, H, null)).toArray();
    assertClose(plain, heads, { atol: 0, rtol: 0, label: `part ${part} without RoPE` });
    const rotated = await noGrad(() =>
      splitHeads(tensor(qkv, [B, N, 3 * D]), part, H, { ids: idT, grid: GRID })
    )
      .toArray();
    assertClose(rotated, hostRope(heads, [B, H, N, hd], ids, GRID), {
      atol: 1e-5,
      label: `part ${part} RoPE`,
    });
  }
  assert.throws(() => splitHeads(tensor(qkv, [B, N, 3 * D]), 3, H, null), /part must be 0/);
  assert.throws(() => splitHeads(tensor(qkv, [B, N, 3 * D]), 0, 5, null), /divisible by 5 heads/);
});

Deno.test("splitHeads gradient (scatter back into its third of qkv, RoPE transposed) matches finite differences", async () => {
  const shape = [1, 12, 3 * 14];
  const idT = tensor(Int32Array.from([3, 1, 4, 11, 5, 9, 2, 6, 0, 8, 7, 10]), [1, 12]);
  await gradCheck((x) => splitHeads(x, 1, 1, { ids: idT, grid: GRID }), [{
    data: randomData(shape, 32),
    shape,
  }]);
  await gradCheck((x) => splitHeads(x, 2, 2, null), [{
    data: randomData([2, 3, 24], 33),
    shape: [2, 3, 24],
  }]);
});
