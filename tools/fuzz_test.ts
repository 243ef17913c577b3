import assert from "node:assert/strict";
import { runCampaign } from "./fuzz.ts";

Deno.test("fuzz: structural and random mutations in a 1 GB-capped child give typed errors, no hang over 10 s", async () => {
  // Every structural mutation (≈ 450) plus 100 random ones; the campaign command runs thousands.
  const summary = await runCampaign({ randomCount: 100, seed: 7, timeoutMs: 10_000, memoryMb: 1024 });
  assert.deepEqual(summary.untyped, []);
  assert.deepEqual(summary.hangs, []);
  assert.deepEqual(summary.crashes, []);
  assert.ok(summary.inputs > 500, `${summary.inputs} inputs`);
  // The limits answer with their own kinds, not "truncated".
  assert.ok((summary.outcomes["too-large"] ?? 0) > 0 && (summary.outcomes["implausible-metadata"] ?? 0) > 0);
  assert.ok((summary.outcomes["weights too-large"] ?? 0) > 0);
});
