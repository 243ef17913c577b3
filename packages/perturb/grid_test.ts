import assert from "node:assert/strict";
import { decode } from "fast-png";
import { CONDITIONS, REFERENCE_CONDITION_IDS } from "./conditions.ts";
import { conditionGrid, conditionGridPng } from "./grid.ts";
import { makeClip } from "@echojepa/core";

const clip = makeClip(Uint8Array.from({ length: 3 * 40 * 60 }, (_, i) => (i * 13) % 200 + 30), [3, 40, 60]);

Deno.test("conditionGrid: one row per family, clean tile first, labelled", () => {
  const grid = conditionGrid(clip, { clipId: "c", conditions: REFERENCE_CONDITION_IDS });
  // 2 families × (clean + 3 levels): width 4·(60 + 2) + 2, height 2·(40 + 9 + 2) + 2.
  assert.equal(grid.width, 250);
  assert.equal(grid.height, 104);
  // The clean tile of row 0 shows frame 1 (the middle frame) under a 9-pixel label strip.
  assert.equal(grid.data[(2 + 9) * 250 + 2], clip.data[40 * 60]);
  // The label strip has some white text pixels.
  const strip = grid.data.subarray(2 * 250, 11 * 250);
  assert.ok(strip.some((v) => v === 255));
});

Deno.test("conditionGridPng: a decodable grey PNG of every catalogue condition", () => {
  const png = conditionGridPng(clip, { clipId: "c" });
  const image = decode(png);
  const families = new Set(CONDITIONS.map((c) => c.family)).size;
  assert.equal(image.channels, 1);
  assert.equal(image.height, families * 51 + 2);
  assert.equal(image.width, 4 * 62 + 2);
});
