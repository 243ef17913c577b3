import assert from "node:assert/strict";
import { join } from "node:path";

const CLI = new URL("./report.ts", import.meta.url).pathname;

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", CLI, ...args],
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("deno task report builds a report from a run folder with the task's permissions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await runCli(["--run", dir, "--fixture", "--no-png"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /index\.html {2}\(\+ 0 PNG figures/);
    assert.match(stderr, /\[report +[\d.]+ s\] reading/);
    assert.match(await Deno.readTextFile(join(dir, "report", "index.html")), /<table>/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task report names the missing results.json and fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await runCli(["--run", dir]);
    assert.equal(code, 1);
    assert.match(stderr, /results\.json: not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
