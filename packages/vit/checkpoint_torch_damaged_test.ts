import { ok, throws } from "node:assert/strict";
import { init, SaveTensor, saveTorchCheckpoint, TorchCheckpointError } from "@echojepa/tensor";
import { loadVit, parameterShapes, vitConfig } from "./mod.ts";

await init();
const TINY = vitConfig({ embedDim: 16, depth: 1, numHeads: 2 }, { imageSize: 16, numFrames: 2 });
/** A value no other tensor holds, so its bytes can be found in the archive. */
const MARKER = 12345.678;

async function tinyCheckpoint(): Promise<Uint8Array> {
  const state = new Map<string, SaveTensor>();
  for (const [name, shape] of parameterShapes(TINY)) {
    const n = shape.reduce((a, b) => a * b, 1);
    state.set(name, new SaveTensor(shape, new Float32Array(n).fill(name === "norm.bias" ? MARKER : 0.5)));
  }
  return await saveTorchCheckpoint(state);
}

Deno.test("a .pt whose shapes fit but whose data is damaged fails loadVit with the reader's typed error", async () => {
  const bytes = await tinyCheckpoint();
  // Shapes and pickle intact, one storage byte flipped: only reading the data (after the model is built) sees it.
  const marker = new Uint8Array(new Float32Array([MARKER]).buffer);
  let at = -1;
  for (let i = 0; i + 4 <= bytes.length && at < 0; i++) {
    if (marker.every((b, k) => bytes[i + k] === b)) at = i;
  }
  ok(at > 0, "marker storage found");
  loadVit(bytes, TINY).dispose(); // the undamaged file loads
  bytes[at] ^= 1;
  throws(
    () => loadVit(bytes, TINY),
    (e: unknown) => e instanceof TorchCheckpointError && e.kind === "corrupt" && /CRC-32/.test(e.message),
  );
});
