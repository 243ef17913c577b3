import assert from "node:assert/strict";
import { makeClip } from "@echojepa/core";
import { realismReport } from "./realism_report.ts";

Deno.test("the realism report yields a PNG and statistics for simulated frames; a real cine's error is kept", () => {
  const r = realismReport({ simulatedClips: 2, frames: 6 });
  assert.deepEqual([...r.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(
    r.simulated.frameMean > 2 && r.simulated.frameMean < 80,
    `simulated mean ${r.simulated.frameMean}`,
  );
  assert.ok(Math.abs(r.homogeneousEnvelopeSnr - 1.91) / 1.91 < 0.1);
  assert.equal(r.real, undefined);
  const failed = realismReport({ simulatedClips: 1, frames: 6, real: { error: "unreadable" } });
  assert.equal(failed.realError, "unreadable");
  assert.throws(
    () => realismReport({ simulatedClips: 1, frames: 6, real: makeClip(new Uint8Array(4), [1, 2, 2]) }),
    /112/,
  );
});
