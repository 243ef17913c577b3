import assert from "node:assert/strict";
import { VIEW_NAMES } from "@echojepa/phantom";
import { buildDemoData, type DemoClip, EF_VIEWS } from "./data.ts";
import { DEMO_PRESETS } from "./presets.ts";
import { runSeeds } from "./seeds.ts";

const patientsOf = (clips: DemoClip[]) => new Set(clips.map((c) => c.patientId));

Deno.test("buildDemoData: the EF task adds its own cohort to the view cohort's EF-view clips, split by patient", async () => {
  const p = {
    ...DEMO_PRESETS.quick,
    patients: 10,
    efPatients: 20,
    pediatricPatients: 2,
    size: 16,
    frames: 2,
  };
  const data = await buildDemoData(p, runSeeds(3));
  const views = [...data.train, ...data.val, ...data.test];
  assert.equal(views.length, p.patients * VIEW_NAMES.length);
  const ef = [...data.ef.train, ...data.ef.val, ...data.ef.test];
  assert.ok(ef.every((c) => EF_VIEWS.includes(c.view)));
  assert.equal(ef.length, (p.patients + p.efPatients) * EF_VIEWS.length);
  for (const split of ["train", "val", "test"] as const) {
    // The view cohort's EF-view clips of this split come first, then the cohort's own.
    const own = data[split].filter((c) => EF_VIEWS.includes(c.view));
    assert.deepEqual(data.ef[split].slice(0, own.length), own);
    assert.ok(data.ef[split].length > own.length, `${split}: the EF cohort adds patients`);
  }
  // No patient is in two splits, and the EF cohort's patients are not the view cohort's.
  const [tr, va, te] = [data.ef.train, data.ef.val, data.ef.test].map(patientsOf);
  for (const id of tr) assert.ok(!va.has(id) && !te.has(id));
  for (const id of va) assert.ok(!te.has(id));
  assert.equal(patientsOf(ef).size, p.patients + p.efPatients);
  // Without a cohort the EF task reads the view cohort's EF-view clips alone.
  const none = await buildDemoData({ ...p, efPatients: 0 }, runSeeds(3));
  assert.deepEqual(none.ef.test, none.test.filter((c) => EF_VIEWS.includes(c.view)));
});
