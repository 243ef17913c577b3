import assert from "node:assert/strict";
import { readCheckpointState, readCheckpointTensors } from "@echojepa/jepa";
import { init } from "@echojepa/tensor";

/** A model tiny enough for the software adapter, checkpointing after every step. */
const CONFIG = {
  preset: "micro",
  data: { frames: 4, cropSize: 32, phantomClips: 4, workers: 0 },
  encoder: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, tubeletSize: 2, patchSize: 8 },
  predictor: { embedDim: 32, depth: 1, numHeads: 2, mlpHidden: 64, numMaskTokens: 1 },
  optim: { batchSize: 2, epochs: 400, itersPerEpoch: 1, warmupEpochs: 0 },
  run: { logEvery: 1 },
};

function start(dir: string, resume: boolean, steps?: number): Deno.ChildProcess {
  const args = [
    "run",
    "--allow-all",
    "tools/pretrain.ts",
    "--config",
    `${dir}/c.json`,
    "--out",
    `${dir}/run`,
  ];
  if (resume) args.push("--resume");
  if (steps !== undefined) args.push("--steps", String(steps));
  args.push("--no-progress");
  return new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" }).spawn();
}

Deno.test("kill -9 during checkpointing: latest.json always loads, temp files are removed on the next start", async () => {
  await init();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify(CONFIG));
    const latest = `${dir}/run/checkpoints/latest.json`;
    for (let kill = 0; kill < 3; kill++) {
      const child = start(dir, kill > 0);
      // Wait for a checkpoint, then kill at an arbitrary moment of the (checkpoint-every-step) loop.
      for (let t = 0; t < 600; t++) {
        try {
          await Deno.stat(latest);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await new Promise((r) => setTimeout(r, 150 + 170 * kill));
      child.kill("SIGKILL");
      await child.status;
      await child.stderr.cancel();
      const { state, jsonPath } = await readCheckpointState(latest);
      const tensors = await readCheckpointTensors(jsonPath, state);
      assert.ok(tensors.size > 0);
      for (const t of tensors.values()) t.dispose();
    }
    const { state } = await readCheckpointState(latest);
    const child = start(dir, true, state.step + 1);
    const status = await child.status;
    const err = new TextDecoder().decode((await new Response(child.stderr).arrayBuffer()) as ArrayBuffer);
    assert.ok(status.success, err);
    const names = [...Deno.readDirSync(`${dir}/run/checkpoints`)].map((e) => e.name);
    assert.ok(!names.some((n) => n.includes(".tmp-")), `temp files left: ${names}`);
    assert.equal((await readCheckpointState(latest)).state.step, state.step + 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
