import assert from "node:assert/strict";
import { init } from "./backends/registry.ts";
import { tensor } from "./creation.ts";
import { loadSafetensors, parseSafetensorsHeader, saveSafetensors } from "./safetensors.ts";
import { assertClose, backendTest, randomData } from "./testing.ts";

await init();

/** Builds a safetensors file by hand from a header object and raw data bytes. */
function build(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const file = new Uint8Array(8 + json.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
  file.set(json, 8);
  file.set(data, 8 + json.length);
  return file;
}

backendTest(
  "save then load round-trips f32 and i32 tensors, names sorted, header 8-byte aligned",
  async () => {
    const w = tensor(randomData([3, 5], 1), [3, 5]);
    const b = tensor([0.5, -2, 1e-8]);
    const idx = tensor(new Int32Array([3, -1, 7]), [1, 3]);
    const bytes = await saveSafetensors({ "z.weight": w, "a.bias": b, "idx": idx }, { format: "pt" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.match(headerText, /^\{.*\} *$/, "padding is spaces");
    const header = JSON.parse(headerText);
    assert.deepEqual(Object.keys(header), ["__metadata__", "a.bias", "idx", "z.weight"]);
    assert.deepEqual(header["a.bias"], { dtype: "F32", shape: [3], data_offsets: [0, 12] });
    assert.deepEqual(header["idx"], { dtype: "I32", shape: [1, 3], data_offsets: [12, 24] });
    assert.deepEqual(parseSafetensorsHeader(bytes).metadata, { format: "pt" });
    const loaded = loadSafetensors(bytes);
    assert.deepEqual([...loaded.keys()], ["a.bias", "idx", "z.weight"]);
    assert.deepEqual(loaded.get("z.weight")!.shape, [3, 5]);
    assert.equal(loaded.get("idx")!.dtype, "i32");
    assertClose(await loaded.get("z.weight")!.toArray(), await w.toArray(), { atol: 0, rtol: 0 });
    assertClose(await loaded.get("a.bias")!.toArray(), Float32Array.of(0.5, -2, 1e-8), { atol: 0, rtol: 0 });
    assert.deepEqual(Array.from(await loaded.get("idx")!.toArray()), [3, -1, 7]);
    for (const t of [w, b, idx, ...loaded.values()]) t.dispose();
  },
);

backendTest("f16 and bf16 tensors load as f32 (normals, subnormals, signed zero, infinities)", async () => {
  // f16: 1.0, -2.0, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0, +inf
  const f16 = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00];
  // bf16: 1.0, -3.0, 1/3 (0x3eab → 0.333984375), 1e-40 range subnormal 0x0001, -inf
  const bf16 = [0x3f80, 0xc040, 0x3eab, 0x0001, 0xff80];
  const data = new Uint8Array(2 * (f16.length + bf16.length) + 4);
  const view = new DataView(data.buffer);
  [...f16, ...bf16].forEach((h, i) => view.setUint16(2 * i, h, true));
  view.setFloat32(24, 42.5, true);
  const bytes = build({
    h: { dtype: "F16", shape: [7], data_offsets: [0, 14] },
    b: { dtype: "BF16", shape: [5, 1], data_offsets: [14, 24] },
    f: { dtype: "F32", shape: [], data_offsets: [24, 28] },
  }, data);
  const t = loadSafetensors(bytes);
  assert.deepEqual(Array.from(await t.get("h")!.toArray()), [1, -2, 0.5, 65504, 2 ** -24, -0, Infinity]);
  const bf = Array.from(await t.get("b")!.toArray());
  assert.deepEqual(bf, [
    1,
    -3,
    0.333984375,
    new Float32Array(new Uint32Array([1 << 16]).buffer)[0],
    -Infinity,
  ]);
  assert.deepEqual(t.get("b")!.shape, [5, 1]);
  assert.equal(await t.get("f")!.item(), 42.5);
  for (const x of t.values()) x.dispose();
});

backendTest("corrupt files give clear errors naming what is wrong", () => {
  const four = new Uint8Array(4);
  const ok = { x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } };
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(5), /shorter than the 8-byte header length/],
    [
      "header past end",
      (() => {
        const f = build(ok, four);
        new DataView(f.buffer).setBigUint64(0, 1000n, true);
        return f;
      })(),
      /header length 1000 runs past the end/,
    ],
    ["bad JSON", build(null, four, "{not json"), /header is not valid UTF-8 JSON/],
    ["array header", build([1, 2], four), /header JSON is not an object/],
    [
      "unknown dtype",
      build({ x: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /tensor "x": dtype "F64" is not supported/,
    ],
    [
      "bad shape",
      build({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, four),
      /tensor "x": shape \[-1\] is not an array/,
    ],
    [
      "size mismatch",
      build({ x: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, four),
      /tensor "x": F32 \[2\] needs 8 bytes but data_offsets span 4/,
    ],
    [
      "out of bounds",
      build({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, four),
      /data_offsets \[0, 8\] out of bounds of the 4-byte data section/,
    ],
    [
      "gap",
      build({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      /gap in the data section: bytes \[0, 4\)/,
    ],
    [
      "overlap",
      build({
        x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        y: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
      }, new Uint8Array(8)),
      /overlaps the previous tensor/,
    ],
    ["trailing bytes", build(ok, new Uint8Array(12)), /data section is 12 bytes but the tensors cover 4/],
    [
      "bad metadata",
      build({ ...ok, __metadata__: { a: 1 } }, four),
      /"__metadata__" value of "a" is not a string/,
    ],
  ];
  for (const [label, bytes, pattern] of cases) {
    assert.throws(() => loadSafetensors(bytes), (e: Error) => {
      assert.match(e.message, /^safetensors: /, label);
      assert.match(e.message, pattern, label);
      return true;
    });
  }
});
