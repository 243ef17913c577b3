import assert from "node:assert/strict";
import { efPixelOracle, linearR2, rawPixelViewBaseline, rvspViewFeatures } from "./baselines.ts";
import { samplePatient } from "./patient.ts";

Deno.test("views are distinct yet not trivially separable by raw pixels (nearest centroid, held-out patients)", () => {
  const r = rawPixelViewBaseline({
    trainPatients: 6,
    testPatients: 3,
    size: 64,
    featureSize: 16,
    frames: 2,
    seed: 1,
  });
  console.log(
    `raw-pixel nearest-centroid view accuracy ${(100 * r.accuracy).toFixed(1)} % (chance ${
      (100 * r.chance).toFixed(1)
    } %)`,
  );
  assert.ok(r.accuracy > 2 * r.chance, `accuracy ${r.accuracy} should beat chance ${r.chance}`);
  assert.ok(r.accuracy < 0.9, `accuracy ${r.accuracy} should stay well below perfect`);
});

Deno.test("the RVSP-like target needs two views: neither view's features predict it linearly, both do", () => {
  const pats = Array.from({ length: 400 }, (_, i) => samplePatient(i));
  const y = pats.map((p) => p.rvsp);
  const f = pats.map(rvspViewFeatures);
  const r2A4c = linearR2(f.map((v) => v.a4c), y);
  const r2Sub = linearR2(f.map((v) => v.subcostal), y);
  const r2Both = linearR2(f.map((v) => [...v.a4c, ...v.subcostal]), y);
  console.log(
    `RVSP linear R²: A4C ${r2A4c.toFixed(3)}, Subcostal ${r2Sub.toFixed(3)}, both ${r2Both.toFixed(3)}`,
  );
  assert.ok(r2A4c < 0.7 && r2Sub < 0.7, `single-view R² ${r2A4c}, ${r2Sub}`);
  assert.ok(r2Both > 0.95, `two-view R² ${r2Both}`);
});

Deno.test("linearR2 is 1 for an exact linear relation and ~0 for noise", () => {
  const x = Array.from({ length: 50 }, (_, i) => [i, (i * 7) % 5]);
  assert.ok(Math.abs(linearR2(x, x.map(([a, b]) => 3 * a - 2 * b + 1)) - 1) < 1e-9);
});

Deno.test("EF oracle: low-pass pixels of clinical-nuisance A4C clips (16 frames, 16 fps) beat the mean predictor", () => {
  const r = efPixelOracle({
    trainPatients: 120,
    testPatients: 40,
    size: 32,
    frames: 16,
    fps: 16,
    nuisance: "clinical",
  });
  assert.ok(r.mae < 0.85 * r.meanPredictorMae && r.r2 > 0.2, JSON.stringify(r));
});
