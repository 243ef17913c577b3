import assert from "node:assert/strict";
import { conditionInfo, CONDITIONS, perturbClip, REFERENCE_CONDITION_IDS } from "./conditions.ts";
import type { SectorGeometry } from "./geometry.ts";
import { type Clip, makeClip, rowMajorData } from "@echojepa/core";

/** A textured 3-frame clip with a fan-shaped bright region, so every perturbation has something to change. */
function texturedClip(): Clip<Uint8Array> {
  const [t, h, w] = [3, 48, 64];
  const data = new Uint8Array(t * h * w);
  for (let f = 0; f < t; f++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) data[(f * h + y) * w + x] = (37 * x + 91 * y + 53 * f) % 200 + 40;
    }
  }
  return makeClip(data, [t, h, w]);
}

const sector: SectorGeometry = {
  apexX: 32,
  apexY: -2,
  angleStart: -0.7,
  angleEnd: 0.7,
  radius: 50,
  depthCm: 15,
};

Deno.test("catalogue: ten families × three levels, the six reference conditions in table order", () => {
  assert.equal(CONDITIONS.length, 30);
  assert.deepEqual(REFERENCE_CONDITION_IDS, [
    "depth-attenuation-low",
    "depth-attenuation-medium",
    "depth-attenuation-high",
    "gaussian-shadow-low",
    "gaussian-shadow-medium",
    "gaussian-shadow-high",
  ]);
  assert.throws(
    () => conditionInfo("fog-high"),
    /unknown perturbation condition "fog-high"; known: depth-attenuation-low/,
  );
});

for (const { id } of CONDITIONS) {
  Deno.test(`perturbClip(${id}): same shape and type, changes the clip, deterministic`, () => {
    const clip = texturedClip();
    for (const geometry of [undefined, sector]) {
      const a = perturbClip(clip, id, { clipId: "clip-7", seed: 3, sector: geometry });
      const b = perturbClip(clip, id, { clipId: "clip-7", seed: 3, sector: geometry });
      assert.ok(a.data instanceof Uint8Array);
      assert.deepEqual(a.shape, clip.shape);
      assert.deepEqual(a.data, b.data);
      let changed = 0;
      for (let i = 0; i < clip.data.length; i++) if (a.data[i] !== clip.data[i]) changed++;
      assert.ok(changed > 0, `${id} changed nothing`);
    }
    const floats = makeClip(Float32Array.from(clip.data), clip.shape);
    const f = perturbClip(floats, id, { clipId: "clip-7", seed: 3 });
    assert.ok(f.data instanceof Float32Array);
  });
}

Deno.test("perturbClip: random draws depend on clip id and seed, not on call order", () => {
  const clip = texturedClip();
  const id = "gaussian-shadow-medium";
  const first = perturbClip(clip, id, { clipId: "a", seed: 0 });
  perturbClip(clip, "speckle-high", { clipId: "b", seed: 0 }); // unrelated work in between
  assert.deepEqual(perturbClip(clip, id, { clipId: "a", seed: 0 }).data, first.data);
  assert.notDeepEqual(perturbClip(clip, id, { clipId: "b", seed: 0 }).data, first.data);
  assert.notDeepEqual(perturbClip(clip, id, { clipId: "a", seed: 1 }).data, first.data);
});

Deno.test("perturbClip: identical output in a separate process (no per-process hashing)", async () => {
  const clip = texturedClip();
  const here = ["gaussian-shadow-high", "rib-shadow-medium", "speckle-low"].map((id) =>
    Array.from(perturbClip(clip, id, { clipId: "EchoNet/0X1A", seed: 42, sector }).data).reduce(
      (h, v) => (Math.imul(h, 31) + v) | 0,
      7,
    )
  );
  const script = `
    import { perturbClip } from "${new URL("./conditions.ts", import.meta.url).href}";
    import { makeClip } from "${new URL("../core/mod.ts", import.meta.url).href}";
    const [t, h, w] = [3, 48, 64];
    const data = new Uint8Array(t * h * w);
    for (let f = 0; f < t; f++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++)
      data[(f * h + y) * w + x] = (37 * x + 91 * y + 53 * f) % 200 + 40;
    const clip = makeClip(data, [t, h, w]);
    const sector = ${JSON.stringify(sector)};
    console.log(JSON.stringify(["gaussian-shadow-high", "rib-shadow-medium", "speckle-low"].map((id) =>
      Array.from(perturbClip(clip, id, { clipId: "EchoNet/0X1A", seed: 42, sector }).data)
        .reduce((h, v) => (Math.imul(h, 31) + v) | 0, 7))));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), here);
});

Deno.test("presets grow in severity: mean change of a uniform clip rises low → medium → high", () => {
  const clip = makeClip(new Uint8Array(2 * 96 * 128).fill(150), [2, 96, 128]);
  const fan: SectorGeometry = { apexX: 64, apexY: -3, angleStart: -0.75, angleEnd: 0.75, radius: 98 };
  const families = [...new Set(CONDITIONS.map((c) => c.family))];
  for (const family of families) {
    const change = ["low", "medium", "high"].map((level) => {
      const out = perturbClip(clip, `${family}-${level}`, { clipId: "uniform", seed: 5, sector: fan });
      let sum = 0;
      for (let i = 0; i < out.data.length; i++) sum += Math.abs(out.data[i] - clip.data[i]);
      return sum / out.data.length;
    });
    assert.ok(
      change[0] > 0 && change[0] < change[1] && change[1] < change[2],
      `${family}: ${change.join(" < ")}`,
    );
  }
});

Deno.test("perturbClip: a cropped view gives what its copy gives", () => {
  const view = texturedClip().lo(1, 4, 8).hi(2, 40, 48);
  const copy = makeClip(rowMajorData(view), view.shape);
  for (const id of ["depth-attenuation-high", "rib-shadow-medium", "dynamic-range-low"]) {
    const a = perturbClip(view, id, { clipId: "v", seed: 1 });
    const b = perturbClip(copy, id, { clipId: "v", seed: 1 });
    assert.deepEqual(a.shape, [2, 40, 48]);
    assert.deepEqual(a.data, b.data);
  }
});
