import assert from "node:assert/strict";
import { realismReport } from "./realism_report.ts";

const SAMPLE = new URL(
  "../../../shared/samples/pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
  import.meta.url,
);

Deno.test("the realism report yields a PNG and statistics for simulated and (when present) real frames", async () => {
  let present = true;
  try {
    await Deno.stat(SAMPLE);
  } catch {
    present = false;
    console.log(`skipping the real-sample half: ${SAMPLE.pathname} is absent`);
  }
  const r = await realismReport({ realSample: present ? SAMPLE : undefined, simulatedClips: 2, frames: 6 });
  assert.deepEqual([...r.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(
    r.simulated.frameMean > 2 && r.simulated.frameMean < 80,
    `simulated mean ${r.simulated.frameMean}`,
  );
  assert.ok(Math.abs(r.homogeneousEnvelopeSnr - 1.91) / 1.91 < 0.1);
  if (present) {
    assert.equal(r.realError, undefined);
    assert.ok(r.real && r.real.frameMean > 5 && r.real.frameMean < 60, `real mean ${r.real?.frameMean}`);
  }
});
