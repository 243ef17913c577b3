import assert from "node:assert/strict";
import { drawNumber, drawOverlay, ecgAtPhase } from "./overlay.ts";

Deno.test("the ECG peaks at the R wave (end-diastole) and the T wave comes in systole", () => {
  assert.ok(ecgAtPhase(0, 0.35) > 0.9);
  assert.ok(ecgAtPhase(0.26, 0.35) > 0.2, "T wave at 0.75 × systole");
  assert.ok(Math.abs(ecgAtPhase(0.5, 0.35)) < 0.05, "flat in diastasis");
});

Deno.test("digits and the UI are burned into the image", () => {
  const w = 40, h = 40;
  const img = new Float32Array(w * h);
  drawNumber(img, w, h, 18, 0, 0, 200);
  assert.equal(img[1], 200, "top-middle pixel of '1' is lit");
  assert.equal(img[0], 0, "top-left pixel of '1' is dark");
  const ui = new Float32Array(112 * 112);
  drawOverlay(ui, 112, 112, {
    depthCm: 15,
    displayHeightCm: 15,
    heartRate: 72,
    fps: 50,
    timeSec: 0.3,
    phaseAt: (t) => (t * 72) / 60 % 1,
    systoleFraction: 0.35,
    textLeft: true,
  });
  let lit = 0;
  for (const v of ui) if (v > 0) lit++;
  assert.ok(lit > 100, `${lit} UI pixels`);
});
