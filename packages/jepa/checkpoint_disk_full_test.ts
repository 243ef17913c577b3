import assert from "node:assert/strict";
import { AdamW, init, tensor } from "@echojepa/tensor";
import { FileWriteError } from "@echojepa/video";
import { readCheckpointState, saveCheckpoint } from "./checkpoint.ts";
import type { PretrainConfig } from "./config.ts";

await init();

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test({
  name:
    "a full disk while a checkpoint is written leaves no partial file and keeps latest.json on the last one",
  // /dev/full answers every write with ENOSPC: a link to it where the temporary file goes is a full disk there.
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const weight = tensor(new Float32Array([1, 2, 3, 4]), [4]);
    try {
      const parts = {
        modules: { encoder: [["w", weight]] as [string, typeof weight][] },
        optimizer: new AdamW([weight], { lr: 1e-3 }),
      };
      const state = (step: number) => ({
        step,
        epoch: step,
        config: {} as PretrainConfig,
        seed: 1,
        lossHistory: Array.from({ length: step }, (_, i) => 1 / (i + 1)),
      });
      await saveCheckpoint(dir, ["latest"], parts, state(1));
      const before = await names(dir);
      const temporary = `${dir}/step-0000002.safetensors.tmp-${Deno.pid}`;
      await Deno.symlink("/dev/full", temporary);
      const error = await saveCheckpoint(dir, ["latest"], parts, state(2)).then(() => null, (e) => e);
      assert.ok(error instanceof FileWriteError, String(error));
      assert.equal(error.code, "ENOSPC");
      assert.match(
        error.message,
        /^could not write .*step-0000002\.safetensors: the disk is full; no partial file/,
      );
      assert.ok(!error.message.includes("\n"));
      assert.deepEqual(await names(dir), before); // no step-2 file, no temporary file
      assert.equal((await readCheckpointState(dir)).state.step, 1);
    } finally {
      weight.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
