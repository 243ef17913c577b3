import assert from "node:assert/strict";
import { sampleAcquisition, validateAcquisition } from "./acquisition.ts";
import { Random } from "@echojepa/core";

Deno.test("clinical nuisance narrows operator settings and keeps the patient-side draws of 'full'", () => {
  for (let seed = 0; seed < 200; seed++) {
    const full = sampleAcquisition(Random.from(seed), 16, false, "full");
    const clinical = sampleAcquisition(Random.from(seed), 16, false, "clinical");
    validateAcquisition(clinical);
    assert.ok(clinical.dynamicRangeDb >= 50 && clinical.dynamicRangeDb <= 60);
    assert.ok(clinical.fps >= 40 && clinical.fps <= 60);
    assert.ok(Math.abs(clinical.rotationDeg) <= 5 && clinical.zoom >= 0.97 && clinical.zoom <= 1.04);
    assert.ok(clinical.depth >= 16 * 0.95 && clinical.depth <= 16 * 1.06);
    assert.ok(clinical.tgc >= 0.65 && clinical.tgc <= 0.85);
    // Same draw order: frequency, noise, clutter, side lobes, UI and respiration match the "full" clip's.
    for (const key of ["frequencyMHz", "noiseDb", "clutter", "sidelobeDb", "ui", "respX", "respZ"] as const) {
      assert.equal(clinical[key], full[key], key);
    }
    // Rotation is exactly half of the full draw (same uniform, half the spread).
    assert.ok(Math.abs(clinical.rotationDeg - full.rotationDeg / 2) < 1e-12);
  }
});
