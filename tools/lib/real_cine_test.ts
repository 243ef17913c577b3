import assert from "node:assert/strict";
import { realismReport } from "@echojepa/phantom";
import { missingFile, optionalTest } from "@echojepa/core/testing";
import { readRealCine } from "./real_cine.ts";

const SAMPLE = new URL(
  "../../../shared/samples/pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
  import.meta.url,
);

optionalTest("the realism report compares with a real A4C sample", missingFile(SAMPLE), async () => {
  const real = await readRealCine(SAMPLE);
  assert.ok(!("error" in real), JSON.stringify(real));
  assert.deepEqual(real.shape.slice(1), [112, 112]);
  const r = realismReport({ real, simulatedClips: 1, frames: 6 });
  assert.equal(r.realError, undefined);
  assert.ok(r.real && r.real.frameMean > 5 && r.real.frameMean < 60, `real mean ${r.real?.frameMean}`);
});

Deno.test("readRealCine says why a file cannot be read", async () => {
  const r = await readRealCine("/nonexistent/echojepa.dcm");
  assert.ok("error" in r && r.error.length > 0);
});
