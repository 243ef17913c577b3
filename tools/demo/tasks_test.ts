import assert from "node:assert/strict";
import type { FeatureSet } from "@echojepa/probe";
import { makeClip } from "@echojepa/core";
import { init } from "@echojepa/tensor";
import type { DemoClip, DemoData } from "./data.ts";
import { DEMO_PRESETS } from "./presets.ts";
import { backboneInputs, viewExperiments } from "./tasks.ts";

await init();

const VIEWS = 13;

/** Clips of `patients` patients, one per view, with only the labels the view task reads. */
function clips(patients: number, prefix: string): DemoClip[] {
  return Array.from({ length: patients * VIEWS }, (_, i) => ({
    id: `${prefix}${i}`,
    clip: makeClip(new Uint8Array(1), [1, 1, 1]),
    view: "A4C",
    viewIndex: i % VIEWS,
    ef: 55,
    rvsp: 30,
    pediatric: false,
    patientId: `${prefix}${Math.floor(i / VIEWS)}`,
  }));
}

/**
 * A separable control: 4 tokens × 16 channels per clip, every token on one large vector shared by all clips
 * (500 per channel) with noise, the view adding 1 to channel `view` of the tokens at the first place of the grid,
 * and channels 13–15 carrying large view-free noise. A pipeline that mislabels rows, skips standardisation or
 * scores the wrong split stays near chance on it.
 */
function features(items: DemoClip[], salt: number): FeatureSet {
  const [tokens, dim] = [4, 16];
  const data = new Float32Array(items.length * tokens * dim);
  items.forEach((c, s) => {
    for (let t = 0; t < tokens; t++) {
      for (let d = 0; d < dim; d++) {
        const noise = Math.sin(12.9898 * (s + 1) + 78.233 * (t * dim + d + 1) + salt) *
          (d >= VIEWS ? 60 : 0.3);
        data[(s * tokens + t) * dim + d] = 500 + noise + (t % 2 === 0 && d === c.viewIndex ? 1 : 0);
      }
    }
  });
  return { count: items.length, tokens, dim, data };
}

Deno.test("viewExperiments: every probe of the demo's pipeline reads a separable control far above chance", async () => {
  const data: DemoData = {
    train: clips(6, "tr"),
    val: clips(2, "va"),
    test: clips(3, "te"),
    ef: { train: [], val: [], test: [] },
    pediatric: [],
  };
  const f = {
    train: features(data.train, 1),
    val: features(data.val, 2),
    test: features(data.test, 3),
    ef: { train: features([], 5), val: features([], 6), test: features([], 7) },
    pediatric: features([], 4),
    perturbed: {},
  };
  // Frames / tubelet = 2 time slots over the 4 tokens: the pooled input keeps the 2 places of the grid.
  const p = {
    ...DEMO_PRESETS.quick,
    frames: 4,
    encoder: { ...DEMO_PRESETS.quick.encoder, tubeletSize: 2 },
    probe: { ...DEMO_PRESETS.quick.probe, epochs: 8, minSteps: 80, lrs: [1e-2, 3e-2] },
    protocol: {
      ...DEMO_PRESETS.quick.protocol,
      budgets: [
        { kind: "shot" as const, k: 1 },
        { kind: "fraction" as const, fraction: 0.01 },
        { kind: "fraction" as const, fraction: 1 },
      ],
      linear: { ...DEMO_PRESETS.quick.protocol.linear, epochs: 8, minSteps: 80 },
      fewLabelProbes: ["linear", "knn"] as const,
    },
  };
  const x = backboneInputs(p, f);
  const out = await viewExperiments(p, data, x, 7);
  const chance = 100 / VIEWS;
  for (const kind of ["attentive", "linear", "knn"] as const) {
    const all = out.probes["100%"][kind]!;
    assert.ok(all.accuracy.mean >= 90, `${kind} with all labels: ${all.accuracy.mean} %`);
    assert.equal(all.correct.length, data.test.length);
    const shot = out.probes["1-shot"][kind];
    if (kind === "attentive") {
      assert.equal(shot, undefined, "the attentive probe is not one of this preset's few-label probes");
      continue;
    }
    assert.ok(shot);
    assert.equal(shot.accuracy.runs.length, p.protocol.draws);
    assert.equal(shot.trainClips, VIEWS);
    assert.ok(shot.accuracy.mean >= 4 * chance, `${kind} 1-shot: ${shot.accuracy.mean} %`);
  }
  // The older-shape record is the linear probe's (every budget has it).
  assert.equal(out.headline["100%"].confusion.length, VIEWS);
  assert.equal(out.headline["1-shot"].accuracy, out.probes["1-shot"].linear!.accuracy);
  // 1 % of 6 clips per view is one per view: the same draws as 1-shot, so the same probes (not trained twice).
  assert.equal(out.probes["1%"], out.probes["1-shot"]);
});
