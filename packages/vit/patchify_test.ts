import assert from "node:assert/strict";
import { init, noGrad, tensor } from "@echojepa/tensor";
import { randomData } from "@echojepa/tensor/testing";
import { vitConfig } from "./config.ts";
import { patchify } from "./patchify.ts";

await init();

Deno.test("patchify: tokens in (t, h, w) raster order, patches in Conv3d weight (c, t, y, x) order", async () => {
  const config = vitConfig({ embedDim: 8, depth: 1, numHeads: 2, patchSize: 4 });
  const [B, C, T, H, W] = [2, 3, 4, 8, 12];
  const video = randomData([B, C, T, H, W], 1);
  const { patches, grid } = noGrad(() => patchify(tensor(video, [B, C, T, H, W]), config));
  assert.deepEqual(grid, { t: 2, h: 2, w: 3 });
  assert.deepEqual(patches.shape, [B, 12, C * 2 * 4 * 4]);
  const got = await patches.toArray();
  const P = 4;
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < 12; n++) {
      const t0 = Math.floor(n / 6) * 2;
      const y0 = Math.floor((n % 6) / 3) * P;
      const x0 = (n % 3) * P;
      for (let c = 0; c < C; c++) {
        for (let dt = 0; dt < 2; dt++) {
          for (let dy = 0; dy < P; dy++) {
            for (let dx = 0; dx < P; dx++) {
              const j = ((c * 2 + dt) * P + dy) * P + dx;
              const v = video[(((b * C + c) * T + t0 + dt) * H + y0 + dy) * W + x0 + dx];
              assert.equal(got[(b * 12 + n) * 96 + j], v, `b${b} token ${n} element ${j}`);
            }
          }
        }
      }
    }
  }
});

Deno.test("patchify rejects clips that do not divide into tubelets or have the wrong channels", () => {
  const config = vitConfig({ embedDim: 8, depth: 1, numHeads: 2 });
  assert.throws(
    () => patchify(tensor(new Float32Array(3 * 3 * 16 * 16), [1, 3, 3, 16, 16]), config),
    /3 frames/,
  );
  assert.throws(
    () => patchify(tensor(new Float32Array(2 * 16 * 16), [1, 1, 2, 16, 16]), config),
    /\[B, 3, T, H, W\]/,
  );
});
