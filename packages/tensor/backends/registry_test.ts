import assert from "node:assert/strict";
import { tensor } from "../creation.ts";
import { add } from "../ops/elementwise.ts";
import {
  backend,
  chooseBackend,
  defaultBackendName,
  describeBackend,
  init,
  registerBackend,
  registeredBackends,
  WASM_REPLACES_SOFTWARE_WEBGPU,
} from "./registry.ts";
import type { Backend } from "./backend.ts";
import { createReferenceBackend } from "./reference/reference_backend.ts";
import { probeAdapter } from "./webgpu/device.ts";

Deno.test("init({ backend }) switches backends; describeBackend names the backend and its device", async () => {
  const ref = await init({ backend: "reference" });
  assert.equal(backend(), ref);
  assert.equal(describeBackend(), "reference: TypeScript reference (float64 accumulation), 1 thread");
  assert.deepEqual(Array.from(await add(tensor([1, 2]), 3).toArray()), [4, 5]);
  assert.equal(await init(), ref, "a plain init() keeps the current backend");
});

Deno.test("a tensor cannot be used while another backend is current", async () => {
  await init({ backend: "reference" });
  const x = tensor([1, 2, 3]);
  const other: Backend = await createReferenceBackend({});
  // A second instance under another name stands in for a second backend.
  registerBackend("wasm", () => Promise.resolve(other));
  try {
    await init({ backend: "wasm" });
    assert.throws(() => add(x, 1), /lives on the reference backend, but reference is current/);
  } finally {
    await init({ backend: "reference" });
  }
  x.dispose();
});

Deno.test("ECHOJEPA_BACKEND overrides the policy and is validated", async () => {
  Deno.env.set("ECHOJEPA_BACKEND", "nonsense");
  try {
    await assert.rejects(
      () => init({}),
      /ECHOJEPA_BACKEND must be webgpu, wasm or reference, got "nonsense"/,
    );
    Deno.env.set("ECHOJEPA_BACKEND", "reference");
    assert.equal((await init()).info.name, "reference");
  } finally {
    Deno.env.delete("ECHOJEPA_BACKEND");
  }
});

Deno.test("policy: WebGPU on hardware; wasm on a software adapter or none only when registered and switched on", () => {
  const hardware = { software: false };
  const software = { software: true };
  for (const registered of [false, true]) {
    for (const on of [false, true]) assert.equal(chooseBackend(hardware, registered, on), "webgpu");
  }
  assert.equal(chooseBackend(software, true, true), "wasm");
  assert.equal(chooseBackend(null, true, true), "wasm");
  assert.equal(chooseBackend(software, false, true), "webgpu");
  assert.equal(chooseBackend(software, true, false), "webgpu");
  assert.equal(chooseBackend(null, false, true), "webgpu");
});

Deno.test("the default follows the switch on this machine", async () => {
  assert.ok(registeredBackends().includes("webgpu"));
  const expected = WASM_REPLACES_SOFTWARE_WEBGPU ? chooseBackend(await probeAdapter(), true) : "webgpu";
  assert.equal(await defaultBackendName(), expected);
});
