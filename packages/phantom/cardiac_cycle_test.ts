import assert from "node:assert/strict";
import type { Chamber } from "./anatomy.ts";
import { cycleStateAt, halfSpheroidVolumeMl, lvEndSystolicFactors, lvVolumeAt } from "./cardiac_cycle.ts";
import { samplePatient } from "./patient.ts";
import { Random } from "@echojepa/core";
import { REFERENCE_STATE } from "./scene_parts.ts";
import { apicalView } from "./scenes_apical.ts";

Deno.test("EF from the generated volume curve equals the label, for many patients", () => {
  for (let seed = 0; seed < 40; seed++) {
    const p = samplePatient(seed, { efDistribution: seed % 2 ? "uniform" : "clinical" });
    const timing = {
      heartRate: p.heartRate,
      systoleFraction: p.systoleFraction,
      respRate: p.respRate,
      phaseAtZero: 0,
      respPhaseAtZero: 0,
    };
    // Sample two full beats finely; the analytic curve hits ED and ES exactly at phases 0 and systoleFraction.
    let vMax = -Infinity, vMin = Infinity;
    const beat = 60 / p.heartRate;
    for (let k = 0; k <= 4000; k++) {
      const s = cycleStateAt(timing, (2 * beat * k) / 4000);
      const v = lvVolumeAt(p.lvLength, p.lvRadius, p.ef, s.contraction);
      vMax = Math.max(vMax, v);
      vMin = Math.min(vMin, v);
    }
    const esTime = p.systoleFraction * beat;
    vMin = Math.min(vMin, lvVolumeAt(p.lvLength, p.lvRadius, p.ef, cycleStateAt(timing, esTime).contraction));
    assert.ok(Math.abs(vMax - p.edv) < 1e-9 * p.edv, `EDV ${vMax} vs ${p.edv}`);
    assert.ok(Math.abs(vMin - p.esv) < 1e-9 * p.esv, `ESV ${vMin} vs ${p.esv}`);
    assert.ok(Math.abs((vMax - vMin) / vMax - p.ef) < 1e-12, `EF ${(vMax - vMin) / vMax} vs ${p.ef}`);
  }
});

Deno.test("end-systolic factors give V_ES/V_ED = 1 − EF exactly", () => {
  for (const ef of [0.1, 0.35, 0.55, 0.8]) {
    const { kL, kR } = lvEndSystolicFactors(ef);
    assert.ok(Math.abs(kR * kR * kL - (1 - ef)) < 1e-12);
    assert.ok(kL < 1 && kR < 1 && kR < kL, "radial shortening exceeds long-axis shortening");
  }
  assert.throws(() => lvEndSystolicFactors(1.2), /ejection fraction/);
});

Deno.test("method of disks on the rendered A4C LV cavity recovers EDV, ESV and EF", () => {
  const p = samplePatient(3, { pediatric: false });
  const view = apicalView("A4C", { patient: p, rng: Random.from(1), chestWall: 1.5 });
  const lv = view.scene.structures.find((s) => s.kind === "chamber" && s.name === "LV") as Chamber;
  const simpson = (contraction: number): number => {
    const q = lv.poseAt({ ...REFERENCE_STATE, contraction });
    // 200 disks along the long axis of the half ellipse; disk diameter from the ellipse's width at that level.
    const n = 200;
    let v = 0;
    for (let k = 0; k < n; k++) {
      const u = ((k + 0.5) / n) * q.a;
      const halfWidth = q.b * Math.sqrt(Math.max(0, 1 - (u / q.a) ** 2));
      v += Math.PI * halfWidth * halfWidth * (q.a / n);
    }
    return v;
  };
  const edv = simpson(0), esv = simpson(1);
  assert.ok(Math.abs(edv - p.edv) / p.edv < 1e-3, `EDV ${edv} vs ${p.edv}`);
  assert.ok(Math.abs(esv - p.esv) / p.esv < 1e-3, `ESV ${esv} vs ${p.esv}`);
  assert.ok(Math.abs((edv - esv) / edv - p.ef) < 1e-3);
  assert.ok(Math.abs(halfSpheroidVolumeMl(p.lvLength, p.lvRadius) - p.edv) < 1e-9);
});
