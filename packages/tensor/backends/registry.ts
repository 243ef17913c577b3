/**
 * Which backend runs: the registry of backend factories, the selection policy, and the current backend.
 *
 * `init()` picks, in order: `init({ backend })`, then the `ECHOJEPA_BACKEND` environment variable
 * (`webgpu | wasm | reference`), then the policy: WebGPU on a hardware adapter; on a software rasteriser
 * (llvmpipe, lavapipe, SwiftShader, `isFallbackAdapter`) or with no adapter, the WebAssembly backend when it is
 * registered and {@link WASM_REPLACES_SOFTWARE_WEBGPU} is on, else WebGPU as before. Several backends can be live
 * at once (tests compare them); tensors remember the backend that made them.
 */

import type { Backend, BackendFactory, BackendName, BackendOptions, MemoryStats } from "./backend.ts";
import { createReferenceBackend } from "./reference/reference_backend.ts";
import { probeAdapter } from "./webgpu/device.ts";
import { createWasmBackend } from "./wasm/wasm_backend.ts";
import { createWebGPUBackend } from "./webgpu/webgpu_backend.ts";

/**
 * The one switch of the default policy: whether a software WebGPU adapter (or none) selects the wasm backend
 * (which must be registered, {@link registerBackend}). On: the wasm backend passes every op, gradient and model
 * test that WebGPU passes, and on this project's 2-core machine it runs the demo's pretraining step 2.4–4× faster
 * than Mesa's llvmpipe adapter (BENCHMARKS.md).
 */
export const WASM_REPLACES_SOFTWARE_WEBGPU = true;

const factories = new Map<BackendName, BackendFactory>([
  ["webgpu", createWebGPUBackend],
  ["wasm", createWasmBackend],
  ["reference", createReferenceBackend],
]);
const live = new Map<BackendName, Promise<Backend>>();
let current: Backend | null = null;

/** Adds (or replaces) a backend factory under `name`; `init` can then choose it. */
export function registerBackend(name: BackendName, factory: BackendFactory): void {
  factories.set(name, factory);
}

/** Names of the registered backends. */
export function registeredBackends(): BackendName[] {
  return [...factories.keys()];
}

/** Options of {@link init}. */
export interface InitOptions extends BackendOptions {
  /** Use this backend rather than the policy's choice (also `ECHOJEPA_BACKEND`). */
  backend?: BackendName;
}

function envBackend(): BackendName | undefined {
  let v: string | undefined;
  try {
    v = (globalThis as { Deno?: { env: { get(k: string): string | undefined } } }).Deno?.env.get(
      "ECHOJEPA_BACKEND",
    );
  } catch {
    return undefined; // no env permission: the policy decides
  }
  if (!v) return undefined;
  if (v !== "webgpu" && v !== "wasm" && v !== "reference") {
    throw new Error(`ECHOJEPA_BACKEND must be webgpu, wasm or reference, got "${v}"`);
  }
  return v;
}

/**
 * The selection policy as a pure function: WebGPU on a hardware adapter; wasm on a software adapter or none, when
 * wasm is registered and `preferWasm` (the switch) is on; else WebGPU (which reports a missing adapter itself).
 */
export function chooseBackend(
  adapter: { software: boolean } | null,
  wasmRegistered: boolean,
  preferWasm: boolean = WASM_REPLACES_SOFTWARE_WEBGPU,
): BackendName {
  if (adapter && !adapter.software) return "webgpu";
  return wasmRegistered && preferWasm ? "wasm" : "webgpu";
}

/** The backend the policy picks on this machine when nothing is requested. */
export async function defaultBackendName(): Promise<BackendName> {
  if (!WASM_REPLACES_SOFTWARE_WEBGPU || !factories.has("wasm")) return "webgpu";
  return chooseBackend(await probeAdapter(), true);
}

/** Creates (once per name) and returns a backend without making it current. */
export function getBackend(name: BackendName, options: BackendOptions = {}): Promise<Backend> {
  let p = live.get(name);
  if (!p) {
    const factory = factories.get(name);
    if (!factory) {
      return Promise.reject(
        new Error(`backend "${name}" is not registered (registered: ${registeredBackends().join(", ")})`),
      );
    }
    p = factory(options);
    live.set(name, p);
    p.catch(() => live.delete(name));
  }
  return p;
}

/**
 * Initialises (once) and returns the current backend, chosen as the module comment says. Called again with no
 * request it returns the current backend; with a request for another backend it switches to it.
 */
export async function init(options: InitOptions = {}): Promise<Backend> {
  const requested = options.backend ?? envBackend();
  if (current && (!requested || requested === current.info.name)) return current;
  const name = requested ?? await defaultBackendName();
  current = await getBackend(name, options);
  return current;
}

/** The current backend; throws if {@link init} has not completed. */
export function backend(): Backend {
  if (!current) throw new Error("no backend is initialised: `await init()` from @echojepa/tensor first");
  return current;
}

/** Makes `b` the current backend (tests that compare backends); returns the previous one. */
export function setCurrentBackend(b: Backend | null): Backend | null {
  const prev = current;
  current = b;
  return prev;
}

/**
 * One line saying which backend runs and on what, for tools to print and run facts to record, e.g.
 * "webgpu: llvmpipe (LLVM 15.0.6, 256 bits), software" or "wasm: WebAssembly SIMD128, 2 threads".
 */
export function describeBackend(b: Backend = backend()): string {
  const { name, device, software, threads } = b.info;
  let extra = name === "webgpu" && software ? ", software" : "";
  if (threads && !/thread/i.test(device)) extra += `, ${threads} thread${threads === 1 ? "" : "s"}`;
  return `${name}: ${device}${extra}`;
}

/** Memory counters of the current backend (see {@link Backend.memoryStats}). */
export function memoryStats(): MemoryStats {
  return backend().memoryStats();
}
