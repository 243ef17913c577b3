import { ok, throws } from "node:assert/strict";
import { bytesSource } from "./byte_source.ts";
import { TorchCheckpointError } from "./errors.ts";
import { type PickleValue, TorchStorageRef, TorchTensorRef } from "./pickle_reader.ts";
import { flattenTensors, MAX_CONTAINERS, MAX_NESTING, viewToHost } from "./torch_load.ts";
import { readZipDirectory } from "./zip_reader.ts";

const isCorrupt = (pattern: RegExp) => (e: unknown): boolean =>
  e instanceof TorchCheckpointError && e.kind === "corrupt" && pattern.test(e.message);

Deno.test("flattenTensors refuses nesting past MAX_NESTING and a list that holds itself, as corrupt", () => {
  let deep: PickleValue = [];
  for (let i = 0; i < MAX_NESTING + 5; i++) deep = [deep];
  throws(() => flattenTensors(deep), isCorrupt(/nests containers/));
  const self: PickleValue[] = [];
  self.push(self);
  throws(() => flattenTensors(self), isCorrupt(/nests containers/));
  let fine: PickleValue = new Map([["w", 1]]);
  for (let i = 0; i < 20; i++) fine = new Map([["m", fine]]);
  ok(flattenTensors(fine).size === 0);
});

Deno.test("flattenTensors refuses a shared-subtree bomb (2⁶⁰ paths in 60 containers) quickly", () => {
  let bomb: PickleValue = [0];
  for (let i = 0; i < 60; i++) bomb = Object.freeze([bomb, bomb]) as unknown as PickleValue;
  const t0 = performance.now();
  throws(() => flattenTensors(bomb), isCorrupt(new RegExp(`more than ${MAX_CONTAINERS} containers`)));
  ok(performance.now() - t0 < 30_000);
});

Deno.test("viewToHost refuses a zero-stride view far larger than its storage before allocating", () => {
  const storage = new TorchStorageRef("0", "float32", 4);
  const bytes = new Uint8Array(16);
  const huge = new TorchTensorRef(storage, 0, [2 ** 31, 2 ** 31], [0, 0], false);
  throws(() => viewToHost(bytes, huge, "t"), isCorrupt(/elements, its storage 4/));
  // A modest expand is still read (PyTorch saves expanded views as stride 0).
  const expanded = new TorchTensorRef(storage, 0, [3, 4], [0, 1], false);
  ok(viewToHost(bytes, expanded, "t").data.length === 12);
});

Deno.test("a zip64 field past 2⁵³ is a corrupt archive, not a RangeError", () => {
  // A zip64 locator pointing at 2⁶³, then an end record whose directory offset says "see zip64".
  const file = new Uint8Array(20 + 22);
  const v = new DataView(file.buffer);
  v.setUint32(0, 0x07064b50, true);
  v.setBigUint64(8, 2n ** 63n, true);
  v.setUint32(20, 0x06054b50, true);
  v.setUint32(20 + 16, 0xffffffff, true);
  throws(() => readZipDirectory(bytesSource(file)), isCorrupt(/zip64 field 9223372036854775808/));
});
