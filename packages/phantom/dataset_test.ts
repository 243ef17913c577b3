import assert from "node:assert/strict";
import { assignSplits, generateDatasetSync, planDataset, renderClipSpec } from "./dataset.ts";
import { generateStudy } from "./study.ts";
import { generateDataset, PhantomWorkerPool } from "./worker_pool.ts";

const TINY = { frames: 2, height: 32, width: 32 } as const;

Deno.test("splits are by patient, follow the fractions, and are deterministic", () => {
  const s = assignSplits(50, 3, [0.8, 0.1, 0.1]);
  assert.equal(s.filter((x) => x === "val").length, 5);
  assert.equal(s.filter((x) => x === "test").length, 5);
  assert.deepEqual(s, assignSplits(50, 3, [0.8, 0.1, 0.1]));
  const plan = planDataset({ patients: 20, seed: 4, views: ["A4C", "PLAX"], clipsPerView: 2 });
  assert.equal(plan.length, 20 * 2 * 2);
  const splitOf = new Map<string, string>();
  for (const spec of plan) {
    const prev = splitOf.get(spec.patientId);
    assert.ok(prev === undefined || prev === spec.split, `patient ${spec.patientId} in two splits`);
    splitOf.set(spec.patientId, spec.split);
  }
  assert.equal(new Set(plan.map((p) => p.patientId)).size, 20);
});

Deno.test("a study shows one patient in several views with shared labels", () => {
  const st = generateStudy(77, { ...TINY, views: ["A4C", "Subcostal", "PSAX-MV"] });
  assert.equal(st.clips.length, 3);
  for (const c of st.clips) {
    assert.equal(c.labels.patientId, st.labels.patientId);
    assert.equal(c.labels.rvsp, st.labels.rvsp);
    assert.equal(c.labels.ef, st.labels.ef);
  }
  assert.deepEqual(st.clips.map((c) => c.labels.view), ["A4C", "Subcostal", "PSAX-MV"]);
});

Deno.test("worker rendering gives the same bytes as in-thread rendering", async () => {
  const opts = { patients: 3, seed: 2, views: ["A2C", "SSN"] as const, ...TINY };
  const sync = generateDatasetSync(opts);
  const par = await generateDataset({ ...opts, workers: 2 });
  for (const split of ["train", "val", "test"] as const) {
    assert.equal(par[split].length, sync[split].length);
    par[split].forEach((c, i) => {
      assert.deepEqual(c.frames, sync[split][i].frames);
      assert.deepEqual(c.labels, sync[split][i].labels);
    });
  }
  const pool = new PhantomWorkerPool(1);
  try {
    const spec = planDataset(opts)[1];
    assert.deepEqual((await pool.renderSpec(spec, TINY)).frames, renderClipSpec(spec, TINY).frames);
  } finally {
    pool.close();
  }
});
