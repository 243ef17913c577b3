import assert from "node:assert/strict";
import { cosineWeightDecay, linearDecayLr, linearMomentum, warmupCosineLr } from "./schedule.ts";

const close = (a: number, b: number, label: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b), `${label}: ${a} ≠ ${b}`);

Deno.test("warmupCosineLr: linear warmup, cosine to finalLr, then held at finalLr", () => {
  const o = { warmupSteps: 10, startLr: 2e-4, refLr: 6e-4, finalLr: 1e-6, totalSteps: 110 };
  close(warmupCosineLr(0, o), 2e-4, "step 0");
  close(warmupCosineLr(5, o), 4e-4, "mid warmup");
  close(warmupCosineLr(10, o), 6e-4, "end of warmup");
  close(warmupCosineLr(60, o), 1e-6 + (6e-4 - 1e-6) * 0.5, "half way: cos(π/2) = 0");
  close(warmupCosineLr(35, o), 1e-6 + (6e-4 - 1e-6) * 0.5 * (1 + Math.cos(Math.PI / 4)), "quarter way");
  close(warmupCosineLr(110, o), 1e-6, "end");
  close(warmupCosineLr(160, o), 1e-6, "past the end: clamped at finalLr");
});

Deno.test("warmupCosineLr with finalLr = refLr is warmup then constant (V-JEPA 2 / EchoJEPA)", () => {
  const o = { warmupSteps: 4, startLr: 1e-4, refLr: 5e-4, finalLr: 5e-4, totalSteps: 100 };
  close(warmupCosineLr(1, o), 2e-4, "warmup");
  for (const s of [4, 20, 50, 99, 300]) close(warmupCosineLr(s, o), 5e-4, `constant at ${s}`);
});

Deno.test("linearDecayLr goes linearly from refLr to finalLr", () => {
  const o = { refLr: 1e-3, finalLr: 1e-5, totalSteps: 100 };
  close(linearDecayLr(0, o), 1e-3, "start");
  close(linearDecayLr(25, o), 1e-3 + 0.25 * (1e-5 - 1e-3), "quarter");
  close(linearDecayLr(100, o), 1e-5, "end");
});

Deno.test("cosineWeightDecay rises from refWd to finalWd (V-JEPA 1) and is constant when equal", () => {
  const o = { refWd: 0.04, finalWd: 0.4, totalSteps: 1000 };
  close(cosineWeightDecay(0, o), 0.04, "start");
  close(cosineWeightDecay(500, o), 0.22, "half");
  close(cosineWeightDecay(1000, o), 0.4, "end");
  close(cosineWeightDecay(1500, o), 0.4, "clamped past the end");
  close(cosineWeightDecay(123, { refWd: 0.04, finalWd: 0.04, totalSteps: 1000 }), 0.04, "constant");
});

Deno.test("linearMomentum interpolates the EMA momentum", () => {
  const o = { start: 0.998, end: 1, totalSteps: 1000 };
  close(linearMomentum(0, o), 0.998, "start");
  close(linearMomentum(500, o), 0.999, "half");
  close(linearMomentum(1000, o), 1, "end");
  close(linearMomentum(7, { start: 0.99925, end: 0.99925, totalSteps: 30 }), 0.99925, "constant");
});
