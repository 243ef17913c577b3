import assert from "node:assert/strict";
import { init } from "../registry.ts";
import { tensor } from "../../creation.ts";
import { matmul } from "../../ops/matmul.ts";
import { Tensor } from "../../tensor.ts";
import { assertClose, backendTest, randomData } from "../../testing.ts";
import { runMatmul, TILES, vec4KernelSource } from "./matmul.ts";
import { WebGPUBackend } from "./webgpu_backend.ts";

await init();

backendTest(
  "webgpu matmul: other register tiles compute the same product",
  async ({ backend, onReference }) => {
    assert.ok(backend instanceof WebGPUBackend);
    const [m, k, n] = [24, 16, 40];
    const a = randomData([m, k], 16);
    const b = randomData([k, n], 17);
    const expected = await onReference(() => matmul(tensor(a, [m, k]), tensor(b, [k, n])).toArray());
    const tiles = [
      { rows: 4, vecCols: 1, wx: 8, wy: 4 },
      { rows: 8, vecCols: 4, wx: 4, wy: 4 },
      { rows: 12, vecCols: 3, wx: 2, wy: 1 },
      TILES.hardware,
    ];
    for (const tile of tiles) {
      const out = Tensor.empty([m, n]);
      const [ta, tb] = [tensor(a, [m, k]), tensor(b, [k, n])];
      const pr = {
        m,
        n,
        k,
        outBatches: 1,
        accBatch: 1,
        strideA: 0,
        strideB: 0,
        transA: false,
        transB: false,
      };
      runMatmul(
        backend.runtime,
        { ...pr, a: ta.handle(), b: tb.handle(), bias: null, out: out.handle() },
        tile,
      );
      assertClose(await out.toArray(), expected, { label: JSON.stringify(tile) });
    }
    assert.match(
      vec4KernelSource(true, true, true, { rows: 4, vecCols: 1, wx: 8, wy: 8 }),
      /@workgroup_size\(8, 8\)/,
    );
  },
  { only: ["webgpu"] },
);
