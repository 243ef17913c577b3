import assert from "node:assert/strict";
import { runCampaign } from "./fuzz.ts";

Deno.test("fuzz: structural and random mutations in a capped child give typed errors, no hang over 10 s, < 1 GiB", async () => {
  // Every structural mutation (≈ 450 video/safetensors, ≈ 300 .pt) plus 100 random video and 34 random .pt ones;
  // the campaign command runs thousands. Heap capped at 1 GiB, resident memory polled and capped at 1 GiB.
  const summary = await runCampaign({
    randomCount: 100,
    seed: 7,
    timeoutMs: 10_000,
    memoryMb: 1024,
    rssMb: 1024,
  });
  assert.deepEqual(summary.untyped, []);
  assert.deepEqual(summary.hangs, []);
  assert.deepEqual(summary.crashes, []);
  assert.deepEqual(summary.overMemory, []);
  assert.ok(summary.inputs > 800, `${summary.inputs} inputs`);
  // The limits answer with their own kinds, not "truncated".
  assert.ok((summary.outcomes["too-large"] ?? 0) > 0 && (summary.outcomes["implausible-metadata"] ?? 0) > 0);
  assert.ok((summary.outcomes["weights too-large"] ?? 0) > 0);
  // .pt inputs reach the unpickler's refusals, the structure bounds, and loadVit's shape check.
  assert.ok((summary.outcomes["pt forbidden-global"] ?? 0) > 0);
  assert.ok((summary.outcomes["pt corrupt"] ?? 0) > 0 && (summary.outcomes["pt truncated"] ?? 0) > 0);
  assert.ok((summary.outcomes["pt readable; vit weights mismatch"] ?? 0) > 0);
  assert.ok((summary.outcomes["pt readable; vit valid"] ?? 0) > 0);
  // The figure is measured (VmHWM of the children), not assumed.
  assert.ok(
    summary.peakRssMiB.child > 0 && summary.peakRssMiB.child < 1024,
    `${summary.peakRssMiB.child} MiB`,
  );
});

Deno.test("fuzz: a child over the resident-memory cap is killed and its input reported", async () => {
  // A Deno process is well above 8 MiB resident, so the child trips the cap (while loading or on the input).
  const summary = await runCampaign({ only: "torch", count: 1, rssMb: 8 });
  assert.equal(summary.overMemory.length, 1, JSON.stringify(summary));
  assert.match(summary.overMemory[0], /pt: valid tiny ViT state dict/);
  assert.deepEqual(summary.crashes, []);
});
