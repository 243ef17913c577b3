import assert from "node:assert/strict";
import { generateClip, renderClip } from "./clip.ts";
import { samplePatient } from "./patient.ts";
import { VIEW_NAMES } from "./views.ts";

const SMALL = { frames: 3, height: 48, width: 48 } as const;

Deno.test("same seed gives identical clips; another seed gives different ones", () => {
  const a = generateClip(123, SMALL), b = generateClip(123, SMALL), c = generateClip(124, SMALL);
  assert.deepEqual(a.frames.data, b.frames.data);
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.acquisition, b.acquisition);
  assert.notDeepEqual(a.frames.data, c.frames.data);
});

Deno.test("clip shape, labels and per-frame volumes are consistent", () => {
  const p = samplePatient(8);
  for (const view of VIEW_NAMES) {
    const clip = renderClip(p, view, 1, SMALL);
    assert.deepEqual(clip.frames.shape, [SMALL.frames, SMALL.height, SMALL.width]);
    assert.equal(clip.frames.data.length, clip.frames.size);
    assert.equal(clip.labels.view, view);
    assert.equal(clip.labels.viewIndex, VIEW_NAMES.indexOf(view));
    assert.ok(clip.fps >= 20 && clip.fps <= 90, `fps ${clip.fps}`);
    const { ef, edv, esv } = clip.labels;
    assert.ok(Math.abs(ef - (100 * (edv - esv)) / edv) < 1e-9);
    for (const v of clip.lvVolumes) assert.ok(v <= edv + 1e-9 && v >= esv - 1e-9);
    // Something is drawn and it is not saturated.
    let sum = 0;
    for (const v of clip.frames.data) sum += v;
    const mean = sum / clip.frames.data.length;
    assert.ok(mean > 2 && mean < 120, `${view}: mean grey ${mean}`);
  }
});

Deno.test("acquisition overrides are applied; nuisance 'none' is the typical setting", () => {
  const clip = generateClip(5, {
    ...SMALL,
    view: "A4C",
    nuisance: "none",
    acquisition: { fps: 33, ui: true },
  });
  assert.equal(clip.fps, 33);
  assert.equal(clip.acquisition.ui, true);
  assert.equal(clip.acquisition.sectorDeg, 75);
  assert.equal(clip.labels.view, "A4C");
});

Deno.test("consecutive frames are correlated (coherent speckle) at a high frame rate", () => {
  const clip = generateClip(9, {
    view: "A4C",
    nuisance: "none",
    frames: 2,
    height: 64,
    width: 64,
    acquisition: { fps: 90 },
  });
  const n = clip.frames.shape[1] * clip.frames.shape[2];
  const a = clip.frames.data.subarray(0, n), b = clip.frames.data.subarray(n, 2 * n);
  let ma = 0, mb = 0;
  for (let k = 0; k < n; k++) ma += a[k] / n, mb += b[k] / n;
  let cov = 0, va = 0, vb = 0;
  for (let k = 0; k < n; k++) {
    cov += (a[k] - ma) * (b[k] - mb);
    va += (a[k] - ma) ** 2;
    vb += (b[k] - mb) ** 2;
  }
  const r = cov / Math.sqrt(va * vb);
  assert.ok(r > 0.7, `frame-to-frame correlation ${r}`);
});

Deno.test("paediatric hearts are smaller and faster", () => {
  for (let s = 0; s < 20; s++) {
    const kid = samplePatient(s, { pediatric: true }), adult = samplePatient(s, { pediatric: false });
    assert.ok(kid.edv < adult.edv * 0.75 || kid.heartScale < adult.heartScale);
    assert.ok(kid.heartRate >= 80 && adult.heartRate <= 105);
  }
  assert.throws(() => samplePatient(1, { ef: 1.5 }), /ef must be/);
});

Deno.test("bad options fail with an error that names the setting", () => {
  assert.throws(() => generateClip(1, { ...SMALL, acquisition: { fps: 0 } }), /fps must be a number in/);
  assert.throws(() => generateClip(1, { ...SMALL, acquisition: { depth: Number.NaN } }), /depth/);
  assert.throws(() => generateClip(1, { ...SMALL, scattererDensity: -1 }), /scattererDensity/);
  assert.throws(() => generateClip(1, { ...SMALL, frames: 0 }), /frames/);
});

Deno.test("the sector mask covers the fan and excludes the corners", () => {
  const clip = generateClip(3, { ...SMALL, nuisance: "none" });
  assert.equal(clip.sectorMask.length, clip.frames.shape[1] * clip.frames.shape[2]);
  assert.equal(clip.sectorMask[0], 0, "top-left corner is outside the sector");
  assert.equal(
    clip.sectorMask[(clip.frames.shape[1] >> 1) * clip.frames.shape[2] + (clip.frames.shape[2] >> 1)],
    1,
    "centre is inside",
  );
});

Deno.test("non-square and larger frames render with square pixels", () => {
  const wide = generateClip(4, { frames: 1, height: 40, width: 80, nuisance: "none", view: "A4C" });
  assert.equal(wide.frames.data.length, 40 * 80);
  // The fan is centred: its apex column is lit near the top, the far corners are not.
  assert.equal(wide.sectorMask[0], 0);
  assert.equal(wide.sectorMask[5 * 80 + 40], 1);
  const big = generateClip(4, { frames: 1, height: 160, width: 160, view: "PLAX" });
  assert.equal(big.frames.data.length, 160 * 160);
});

Deno.test("speckleStrength: 1 is today's clip; 0 and 2 lower and raise the fine-scale grey fluctuation", () => {
  const sizes = { frames: 2, height: 64, width: 64, nuisance: "none" } as const;
  const base = generateClip(31, sizes);
  assert.deepEqual(generateClip(31, { ...sizes, speckleStrength: 1 }).frames, base.frames);
  // Fine-scale energy inside the sector: mean squared difference of horizontally adjacent pixels.
  const fine = (c: ReturnType<typeof generateClip>): number => {
    let s = 0, n = 0;
    for (let y = 0; y < c.frames.shape[1]; y++) {
      for (let x = 1; x < c.frames.shape[2]; x++) {
        const k = y * c.frames.shape[2] + x;
        if (c.sectorMask[k] && c.sectorMask[k - 1]) {
          s += (c.frames.data[k] - c.frames.data[k - 1]) ** 2;
          n++;
        }
      }
    }
    return s / n;
  };
  const none = fine(generateClip(31, { ...sizes, speckleStrength: 0 }));
  const strong = fine(generateClip(31, { ...sizes, speckleStrength: 2 }));
  const normal = fine(base);
  assert.ok(
    none < 0.5 * normal && strong > 1.5 * normal,
    `fine energy 0×: ${none}, 1×: ${normal}, 2×: ${strong}`,
  );
  assert.throws(() => generateClip(1, { ...SMALL, speckleStrength: 5 }), /speckleStrength/);
});
