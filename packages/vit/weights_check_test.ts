import assert from "node:assert/strict";
import { parseSafetensorsHeader } from "@echojepa/tensor";
import { CONFIG_METADATA_KEY, loadVit } from "./checkpoint.ts";
import { parameterShapes, vitConfig } from "./config.ts";
import { checkVitWeights, WeightsError } from "./weights_check.ts";

/** A safetensors file with zero-filled F32 tensors of the given shapes and a metadata map (no GPU needed). */
function fakeSafetensors(shapes: Map<string, number[]>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let at = 0;
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: "F32", shape, data_offsets: [at, at + n] };
    at += n;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const small = vitConfig({ embedDim: 16, depth: 2, numHeads: 2, patchSize: 4, tubeletSize: 2 });
const shapes = parameterShapes(small);

Deno.test("checkVitWeights accepts a configuration that fits its tensors, with wrapper prefixes", () => {
  const prefixed = new Map([...shapes].map(([n, s]) => [`module.backbone.${n}`, s]));
  assert.deepEqual(checkVitWeights(JSON.stringify(small), prefixed), small);
});

Deno.test("absurd weights metadata is refused before anything is built, naming field and value", () => {
  const cases: [string, Record<string, unknown> | string, RegExp][] = [
    ["depth 1e6", { ...small, depth: 1e6 }, /depth 1000000 exceeds the bound 128/],
    ["width 1e9", { ...small, embedDim: 1e9 }, /embedDim 1000000000 exceeds/],
    ["inChannels 1e6", { ...small, inChannels: 1e6 }, /inChannels 1000000 exceeds/],
    [
      "depth 64 × width 2048",
      { ...small, depth: 64, embedDim: 2048, numHeads: 16, mlpHidden: 8192 },
      /does not fit/,
    ],
    ["negative depth", { ...small, depth: -1 }, /depth -1 is not a positive integer/],
    ["string width", { ...small, embedDim: "16" }, /embedDim "16" is not a positive integer/],
    ["2^32-1 heads", { ...small, numHeads: 2 ** 32 - 1 }, /numHeads 4294967295 exceeds/],
    ["bad JSON", "{depth: 3", /configuration is not JSON/],
    ["array", "[1,2]", /not a JSON object/],
    ["__proto__", '{"__proto__": {"depth": 1}, "embedDim": 16, "numHeads": 2}', /has no depth/],
  ];
  for (const [what, config, pattern] of cases) {
    const text = typeof config === "string" ? config : JSON.stringify(config);
    const bytes = fakeSafetensors(shapes, { [CONFIG_METADATA_KEY]: text });
    const start = performance.now();
    assert.throws(() => loadVit(bytes, undefined, { source: "w.safetensors" }), (e: unknown) => {
      assert.ok(e instanceof WeightsError, `${what}: ${e}`);
      assert.match(e.message, pattern, what);
      assert.match(e.message, /^w\.safetensors: /);
      return true;
    });
    assert.ok(performance.now() - start < 500, `${what} took ${performance.now() - start} ms`);
  }
  assert.equal(({} as Record<string, unknown>).depth, undefined); // no prototype pollution
});

Deno.test("safetensors dtype names from Object.prototype are rejected as unsupported", () => {
  for (const dtype of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
    const json = new TextEncoder().encode(JSON.stringify({ w: { dtype, shape: [1], data_offsets: [0, 4] } }));
    const bytes = new Uint8Array(8 + json.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    assert.throws(() => parseSafetensorsHeader(bytes), /dtype .* is not supported/, dtype);
  }
});
