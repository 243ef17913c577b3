import assert, { equal as assertEquals } from "node:assert/strict";
import { assertClose } from "../../testing.ts";
import { ReferenceBackend } from "../reference/reference_backend.ts";
import type { Backend, Expr, StorageHandle } from "../backend.ts";
import { createWasmBackend } from "./wasm_backend.ts";
import { sizeClass } from "./heap.ts";
import { hasRelaxedSimd, hasSimd } from "./kernel_module.ts";

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function put(b: Backend, data: Float32Array): StorageHandle {
  const h = b.alloc(data.byteLength);
  b.upload(h, data);
  return h;
}

async function get(b: Backend, h: StorageHandle, n: number): Promise<Float32Array> {
  return new Float32Array(await b.read(h, n * 4));
}

Deno.test("wasm: the feature probes answer", () => {
  assert(hasSimd());
  assertEquals(typeof hasRelaxedSimd(), "boolean");
});

Deno.test("wasm heap: size classes bound the slack and are 64-byte multiples", () => {
  for (const n of [1, 63, 64, 65, 4096, 65537, 1e6, 3e7]) {
    const c = sizeClass(n);
    assert(c >= n && c % 64 === 0 && c <= Math.max(64, n * 1.125 + 64), `${n} → ${c}`);
  }
});

Deno.test("wasm: two threads, large products in all four transpose layouts match the reference; memory grows", async () => {
  const wasm = await createWasmBackend({ threads: 2 });
  const ref = new ReferenceBackend();
  try {
    assertEquals(wasm.info.threads, navigator.hardwareConcurrency > 1 ? 2 : 1);
    // Big enough to split over threads (> SPLIT_FLOPS) and to grow the 16 MiB initial memory.
    const [m, n, k] = [150, 130, 100];
    const filler = wasm.alloc(20 * 2 ** 20);
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const A = random(2 * m * k, 1);
      const B = random(2 * k * n, 2);
      const bias = random(n, 3);
      const args = (be: Backend, h: StorageHandle[]) =>
        be.matmul({
          a: h[0],
          b: h[1],
          bias: h[2],
          out: h[3],
          m,
          n,
          k,
          transA,
          transB,
          outBatches: 1,
          accBatch: 2,
          strideA: m * k,
          strideB: k * n,
        });
      const hw = [put(wasm, A), put(wasm, B), put(wasm, bias), wasm.alloc(m * n * 4)];
      const hr = [put(ref, A), put(ref, B), put(ref, bias), ref.alloc(m * n * 4)];
      args(wasm, hw);
      args(ref, hr);
      assertClose(await get(wasm, hw[3], m * n), await get(ref, hr[3], m * n), {
        atol: 1e-5,
        rtol: 1e-4,
        label: `matmul transA=${transA} transB=${transB}`,
      });
      hw.forEach((h) => wasm.release(h));
    }
    wasm.release(filler);
    assertEquals(wasm.memoryStats().liveBuffers, 0);
  } finally {
    await wasm.dispose();
  }
});

Deno.test("wasm: attention over several query blocks with a key-padding mask, forward and backward, two threads", async () => {
  const wasm = await createWasmBackend({ threads: 2 });
  const ref = new ReferenceBackend();
  try {
    const [batch, heads, nq, nk, dh] = [2, 3, 100, 70, 12];
    const q = random(batch * heads * nq * dh, 4);
    const k = random(batch * heads * nk * dh, 5);
    const v = random(batch * heads * nk * dh, 6);
    const g = random(batch * heads * nq * dh, 7);
    const mask = new Float32Array(batch * nk).map((_, i) => (i % 7 === 3 || i >= nk + 50 ? 0 : 1));
    const run = async (be: Backend) => {
      const [hq, hk, hv, hg, hm] = [q, k, v, g, mask].map((x) => put(be, x));
      const out = be.alloc(q.byteLength);
      const lse = be.alloc(batch * heads * nq * 4);
      const [dq, dk, dv] = [q, k, v].map((x) => be.alloc(x.byteLength));
      const common = {
        q: hq,
        k: hk,
        v: hv,
        mask: { handle: hm, dtype: "f32" as const },
        out,
        lse,
        batch,
        heads,
        nq,
        nk,
        dh,
        scale: 0.3,
      };
      be.attention(common);
      be.attentionBackward({ ...common, dout: hg, dq, dk, dv });
      return [
        await get(be, out, q.length),
        await get(be, dq, q.length),
        await get(be, dk, k.length),
        await get(be, dv, v.length),
      ];
    };
    const [a, b] = [await run(wasm), await run(ref)];
    ["out", "dq", "dk", "dv"].forEach((name, i) =>
      assertClose(a[i], b[i], { atol: 1e-5, rtol: 1e-4, label: name })
    );
  } finally {
    await wasm.dispose();
  }
});

Deno.test("wasm: SIMD GELU and its gradient (tails, two threads, strided fallback) match the reference to 3e-7", async () => {
  const wasm = await createWasmBackend({ threads: 2 });
  const ref = new ReferenceBackend();
  const x0: Expr = { kind: "input", input: 0 };
  const g1: Expr = { kind: "input", input: 1 };
  const gelu: Expr = { kind: "unary", op: "gelu", a: x0 };
  const grad: Expr = { kind: "binary", op: "mul", a: g1, b: { kind: "unary", op: "geluGrad", a: x0 } };
  try {
    // 7: scalar tail only; 40001: several vectors per thread plus a tail; [2, n/2] read transposed: not dense.
    for (const [n, transposed] of [[1, false], [7, false], [40001, false], [40000, true]] as const) {
      const x = random(n, 8).map((v) => 24 * v);
      x[0] = 0;
      const g = random(n, 9);
      const shape = transposed ? [n / 2, 2] : [n];
      const strides = transposed ? [1, n / 2] : [1];
      for (const expr of [gelu, grad]) {
        const run = async (be: Backend) => {
          const [hx, hg] = [put(be, x), put(be, g)];
          const out = be.alloc(4 * n);
          be.elementwise({
            expr,
            inputs: [hx, hg].map((handle) => ({ handle, dtype: "f32" as const, offset: 0, strides })),
            scalars: [],
            shape,
            out,
            outDType: "f32",
            label: "gelu-test",
          });
          return await get(be, out, n);
        };
        assertClose(await run(wasm), await run(ref), {
          atol: 3e-7,
          rtol: 3e-7,
          label: `${expr === gelu ? "gelu" : "gelu grad"} n=${n}${transposed ? " transposed" : ""}`,
        });
      }
    }
  } finally {
    await wasm.dispose();
  }
});

Deno.test("wasm pool: parks when idle, so a script that never disposes exits; forks after parking still agree", async () => {
  const script = `
    import { createWasmBackend } from ${JSON.stringify(new URL("./wasm_backend.ts", import.meta.url).href)};
    const be = await createWasmBackend({ threads: 2 });
    const n = 200;
    const [a, b, c] = [be.alloc(4 * n * n), be.alloc(4 * n * n), be.alloc(4 * n * n)];
    be.upload(a, new Float32Array(n * n).fill(1));
    be.upload(b, new Float32Array(n * n).fill(2));
    const args = { a, b, out: c, m: n, n, k: n, transA: false, transB: false, outBatches: 1, accBatch: 1,
      strideA: 0, strideB: 0 };
    const sums = [];
    for (const pause of [0, 400, 100, 0]) {
      await new Promise((r) => setTimeout(r, pause));
      be.matmul(args);
      sums.push((await be.read(c, 4 * n * n).then((x) => new Float32Array(x)))[n * n - 1]);
    }
    console.log(JSON.stringify(sums));
  `;
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  assert(out.success, new TextDecoder().decode(out.stderr));
  // 200·1·2 in every cell, whether the fork ran on one thread (just after parking) or two.
  assertEquals(new TextDecoder().decode(out.stdout).trim(), "[400,400,400,400]");
  assert(seconds < 20, `the script took ${seconds} s to exit`);
});
