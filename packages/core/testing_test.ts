import assert from "node:assert/strict";
import { firstMissing, missingFile } from "./testing.ts";

Deno.test("missingFile names an absent path and passes an existing one", () => {
  assert.equal(missingFile(new URL(import.meta.url)), undefined);
  assert.equal(missingFile("/nonexistent/echojepa-sample.dcm"), "/nonexistent/echojepa-sample.dcm is absent");
  assert.equal(firstMissing(undefined, "b", "c"), "b");
  assert.equal(firstMissing(undefined), undefined);
});
