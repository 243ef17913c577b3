import assert from "node:assert/strict";
import { EchoJepaError } from "./errors.ts";

Deno.test("EchoJepaError: subclasses keep their name and are told apart from other errors", () => {
  class BadClipError extends EchoJepaError {}
  const e = new BadClipError("clip has 0 frames", { cause: "x" });
  assert.ok(e instanceof EchoJepaError && e instanceof Error);
  assert.equal(e.name, "BadClipError");
  assert.equal(e.cause, "x");
  assert.ok(!(new RangeError("y") instanceof EchoJepaError));
});
