import assert from "node:assert/strict";
import { fastCos, fastLog2, fastSin } from "./fast_math.ts";

Deno.test("fastLog2, fastCos and fastSin are accurate enough for speckle and log compression", () => {
  for (let i = 0; i < 2000; i++) {
    const x = Math.exp(((i / 2000) - 0.5) * 60);
    assert.ok(Math.abs(fastLog2(x) - Math.log2(x)) < 3e-4, `log2 ${x}`);
    const a = (i - 1000) * 0.37;
    assert.ok(Math.abs(fastCos(a) - Math.cos(a)) < 2e-3, `cos ${a}`);
    assert.ok(Math.abs(fastSin(a) - Math.sin(a)) < 2e-3, `sin ${a}`);
  }
});
