import assert from "node:assert/strict";
import { makeClip, Random } from "@echojepa/core";
import { mapEnvelope } from "./envelope.ts";
import { beamCoordinates, type SectorGeometry } from "./geometry.ts";
import { changeDynamicRange } from "./physical/gain.ts";
import { hazeEnvelope } from "./physical/haze.ts";
import { reverberationEnvelope } from "./physical/reverberation.ts";
import { ribShadowGain, ribShadowWeights } from "./physical/rib_shadow.ts";
import { speckleFactors } from "./physical/speckle.ts";
import {
  attenuationLossDb,
  TISSUE_ATTENUATION_PRESETS,
  tissueAttenuationGain,
} from "./physical/tissue_attenuation.ts";
import { wallDropoutPatches } from "./physical/wall_dropout.ts";
import { perturbClip } from "./conditions.ts";

const close = (a: number, b: number, tol = 1e-4): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

const sector: SectorGeometry = {
  apexX: 50,
  apexY: 0,
  angleStart: -0.6,
  angleEnd: 0.6,
  radius: 95,
  depthCm: 15,
};

Deno.test("beamCoordinates: sector depth/lateral/inside, image fallback", () => {
  const c = beamCoordinates(100, 101, sector);
  const at = (y: number, x: number): number => y * 101 + x;
  close(c.depth[at(95, 50)], 1); // straight down at the far arc
  close(c.lateral[at(60, 50)], 0);
  assert.equal(c.inside[at(60, 50)], 1);
  assert.equal(c.inside[at(5, 0)], 0); // beside the apex, outside the fan
  assert.equal(c.inside[at(99, 50)], 0); // beyond the far arc
  const image = beamCoordinates(11, 21);
  assert.equal(image.kind, "image");
  close(image.depth[10 * 21], 1);
  close(image.lateral[20], 1);
  assert.ok(image.inside.every((v) => v === 1));
  assert.throws(() => beamCoordinates(10, 10, { ...sector, angleEnd: -1 }), /angleEnd > angleStart/);
});

Deno.test("rib shadow in a sector darkens only pixels on rays behind the rib", () => {
  const height = 100;
  const width = 101;
  const coords = beamCoordinates(height, width, sector);
  const params = {
    attenuation: 0.15,
    halfWidth: 0.1,
    edge: 0.05,
    startDepthCm: 3,
    onsetCm: 0.5,
    center: 0.3,
  };
  const weights = ribShadowWeights(coords, params, Random.from(0));
  const clip = makeClip(new Uint8Array(height * width).fill(150), [1, height, width]);
  const gain = ribShadowGain(coords, params, Random.from(0));
  const out = mapEnvelope(clip, (e, p) => e * gain[p]);
  // Full shadow: −16.5 dB (20·log10 0.15) → 255·16.48/60 = 70 grey levels darker.
  const fullDrop = Math.round(150 - (255 * -20 * Math.log10(0.15)) / 60);
  let darkened = 0;
  for (let p = 0; p < height * width; p++) {
    const lateral = coords.lateral[p];
    const depthCm = coords.depth[p] * 15;
    const onRay = coords.inside[p] === 1 && Math.abs(lateral - 0.3) < 0.15;
    if (out.data[p] !== 150) {
      darkened++;
      assert.ok(
        onRay && depthCm >= 3,
        `pixel ${p} darkened off the rib's rays (lateral ${lateral}, ${depthCm} cm)`,
      );
      assert.ok(weights[p] > 0);
    }
    if (coords.inside[p] && Math.abs(lateral - 0.3) < 0.1 && depthCm > 3.5) {
      assert.equal(out.data[p], fullDrop);
    }
  }
  assert.ok(darkened > 100);
  // The shadow follows the fan: it is wider in a deep row than in a shallow one.
  const widthOfRow = (y: number): number => {
    let n = 0;
    for (let x = 0; x < width; x++) if (out.data[y * width + x] === fullDrop) n++;
    return n;
  };
  assert.ok(widthOfRow(85) > widthOfRow(35) + 2, `${widthOfRow(85)} vs ${widthOfRow(35)}`);
});

Deno.test("rib shadow without a sector is a vertical band below the rib depth", () => {
  const coords = beamCoordinates(30, 41);
  const w = ribShadowWeights(coords, {
    attenuation: 0.1,
    halfWidth: 0.1,
    edge: 0,
    startDepthCm: 5,
    onsetCm: 0,
    center: 0,
  }, Random.from(0));
  // Column 20 is lateral 0; rows below 5/15 of the depth are shadowed; columns beyond ±0.1 are not.
  assert.equal(w[29 * 41 + 20], 1);
  assert.equal(w[5 * 41 + 20], 0);
  assert.equal(w[29 * 41 + 24], 0); // lateral 0.2
  for (let y = 0; y < 30; y++) assert.equal(w[y * 41 + 19], w[y * 41 + 21]);
});

Deno.test("tissue attenuation: 2·α·f·z·(1 − tgc) dB, hand-computed far-field loss", () => {
  close(attenuationLossDb(15, TISSUE_ATTENUATION_PRESETS.high), 15.75, 1e-9); // 2·0.3·2.5·15·0.7
  const coords = beamCoordinates(11, 3);
  const gain = tissueAttenuationGain(coords, TISSUE_ATTENUATION_PRESETS.high);
  close(gain[0], 1);
  close(gain[10 * 3], 10 ** (-15.75 / 20));
  // On a float clip the far row of grey 200 loses 255·15.75/60 = 66.94 levels.
  const clip = makeClip(new Float32Array(33).fill(200), [1, 11, 3]);
  const out = perturbClip(clip, "tissue-attenuation-high", { clipId: "x" });
  close(out.data[30], 200 - 66.9375, 1e-3);
  close(out.data[0], 200, 1e-3);
});

Deno.test("gain −8 dB is a constant grey shift; dynamic range 60 → 30 dB doubles contrast from white", () => {
  const clip = makeClip(new Float32Array([200, 100, 0]), [1, 1, 3]);
  const gained = perturbClip(clip, "gain-high", { clipId: "x" });
  close(gained.data[0], 200 - 34, 1e-3); // 255·8/60
  close(gained.data[1], 100 - 34, 1e-3);
  assert.equal(gained.data[2], 0);
  const dr = changeDynamicRange(clip, { displayedDb: 30 });
  close(dr.data[0], 145, 1e-3); // 255·(2·200/255 − 1)
  assert.equal(dr.data[1], 0); // pushed below the new floor
});

Deno.test("haze adds most near the apex; reverberation adds bands at multiples of the layer depth", () => {
  const coords = beamCoordinates(151, 21); // 0.1 cm per row
  const haze = hazeEnvelope(coords, { amplitude: 0.2, decayCm: 1.2 }, Random.from(1));
  const rowMean = (f: Float32Array, y: number): number =>
    f.slice(y * 21, y * 21 + 21).reduce((s, v) => s + v, 0) / 21;
  assert.ok(rowMean(haze, 2) > 3 * rowMean(haze, 40));
  assert.ok(haze.every((v) => v >= 0 && v <= 0.2));
  const bands = reverberationEnvelope(coords, {
    amplitude: 0.2,
    layerDepthCm: 1.5,
    repeats: 3,
    decay: 0.5,
    center: 0,
    halfWidth: 1,
  }, Random.from(1));
  close(rowMean(bands, 30), 0.2, 1e-3); // first replica at 2 × 1.5 cm
  close(rowMean(bands, 45), 0.1, 1e-3); // second at 4.5 cm, half as strong
  assert.ok(rowMean(bands, 37) < 0.01);
});

Deno.test("speckle factors have mean ≈ 1 and the requested spread; new noise each frame", () => {
  const f = speckleFactors(20000, { sigma: 0.2 }, Random.from(3));
  const mean = f.reduce((s, v) => s + v, 0) / f.length;
  const sd = Math.sqrt(f.reduce((s, v) => s + (v - mean) ** 2, 0) / f.length);
  close(mean, 1, 0.01);
  close(sd, 0.2, 0.01);
  const clip = makeClip(new Uint8Array(2 * 100).fill(180), [2, 10, 10]);
  const out = perturbClip(clip, "speckle-medium", { clipId: "x" });
  assert.notDeepEqual(out.data.slice(0, 100), out.data.slice(100));
});

Deno.test("wall dropout removes bright echoes inside patches and leaves dark pixels alone", () => {
  const coords = beamCoordinates(40, 40);
  const patches = wallDropoutPatches(coords, { patches: 2, strength: 0.9 }, Random.from(5));
  assert.ok(patches.some((v) => v > 0.85) && patches.some((v) => v === 0));
  const data = new Uint8Array(1600);
  for (let i = 0; i < 1600; i++) data[i] = i % 2 ? 230 : 30; // bright wall / dark cavity checkerboard
  const out = perturbClip(makeClip(data, [1, 40, 40]), "wall-dropout-high", { clipId: "x" });
  let darkenedBright = 0;
  for (let i = 0; i < 1600; i++) {
    if (data[i] === 30) assert.equal(out.data[i], 30);
    else if (out.data[i] < 200) darkenedBright++;
  }
  assert.ok(darkenedBright > 10);
});
