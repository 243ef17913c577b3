import assert from "node:assert/strict";
import { beamCoordinates } from "./geometry.ts";
import { sectorFromMask } from "./sector_fit.ts";

Deno.test("sectorFromMask recovers apex, angles and radius of a synthetic fan", () => {
  const truth = { apexX: 160, apexY: 10, angleStart: -0.75, angleEnd: 0.7, radius: 215 };
  const coords = beamCoordinates(240, 320, truth);
  const fit = sectorFromMask(coords.inside, 320, 240, 16);
  assert.ok(fit);
  assert.ok(Math.abs(fit.apexX - truth.apexX) < 2.5, `apexX ${fit.apexX}`);
  assert.ok(Math.abs(fit.apexY - truth.apexY) < 2.5, `apexY ${fit.apexY}`);
  assert.ok(Math.abs(fit.angleStart - truth.angleStart) < 0.03, `start ${fit.angleStart}`);
  assert.ok(Math.abs(fit.angleEnd - truth.angleEnd) < 0.03, `end ${fit.angleEnd}`);
  assert.ok(Math.abs(fit.radius - truth.radius) < 3, `radius ${fit.radius}`);
  assert.equal(fit.depthCm, 16);
});

Deno.test("sectorFromMask returns null for masks that are not fans", () => {
  assert.equal(sectorFromMask(new Uint8Array(100), 10, 10), null);
  assert.equal(sectorFromMask(new Uint8Array(100).fill(1), 10, 10), null); // a rectangle: parallel sides
  assert.throws(() => sectorFromMask(new Uint8Array(5), 10, 10), /mask has 5 values/);
});
