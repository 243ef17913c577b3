import { strictEqual as assertEquals } from "node:assert/strict";
import { floatToBfloat16, floatToHalf, halfToFloat } from "./half.ts";

Deno.test("f16: every finite bit pattern survives float → half → float", () => {
  for (let h = 0; h < 65536; h++) {
    const x = halfToFloat(h);
    if (Number.isNaN(x)) continue;
    assertEquals(floatToHalf(x), h, `bits 0x${h.toString(16)} (${x})`);
  }
});

Deno.test("f16 rounding: ties go to even, overflow to infinity, tiny to zero", () => {
  assertEquals(floatToHalf(1 + 2 ** -11), 0x3c00); // halfway between 1 and the next half: even (1)
  assertEquals(floatToHalf(1 + 3 * 2 ** -11), 0x3c02);
  assertEquals(floatToHalf(70000), 0x7c00);
  assertEquals(floatToHalf(-1e-10), 0x8000);
  assertEquals(floatToHalf(2 ** -25 * 1.5), 0x0001); // rounds up to the smallest subnormal
});

Deno.test("bf16 rounding: ties go to even; NaN stays NaN", () => {
  assertEquals(floatToBfloat16(1), 0x3f80);
  assertEquals(floatToBfloat16(1 + 2 ** -8), 0x3f80); // tie → even
  assertEquals(floatToBfloat16(1 + 3 * 2 ** -8), 0x3f82);
  assertEquals(Number.isNaN(halfToFloat(0x7e00)), true);
  assertEquals((floatToBfloat16(NaN) & 0x7f80) === 0x7f80 && (floatToBfloat16(NaN) & 0x7f) !== 0, true);
});
