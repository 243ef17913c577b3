import assert from "node:assert/strict";
import { writeAvi } from "@echojepa/video";

const TOOLS = new URL(".", import.meta.url).pathname;

async function run(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${TOOLS}${script}`, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { ECHOJEPA_DEBUG: "" },
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("every CLI that writes checks its output folder first: one line, exit 1, nothing else touched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A file where the output folder should be. (A read-only folder is the other case, but root writes anyway.)
    const blocker = `${dir}/blocker`;
    await Deno.writeTextFile(blocker, "");
    // The other inputs do not exist: the output check must come before anything reads them.
    const cases: [string, string[]][] = [
      ["pretrain.ts", ["--out", blocker]],
      ["prepare.ts", [`${dir}/videos`, "--out", blocker]],
      ["eval.ts", ["--probe", `${dir}/probe`, "--manifest", `${dir}/m.csv`, "--out", `${blocker}/p.csv`]],
      ["robustness.ts", ["--probe", `${dir}/probe`, "--manifest", `${dir}/m.csv`, "--out", blocker]],
      ["probe.ts", ["--encoder", `${dir}/e.safetensors`, "--manifest", `${dir}/m.csv`, "--out", blocker]],
      ["perturb.ts", ["--synthetic", "--out", blocker]],
      ["synth.ts", ["--out", blocker, "--patients", "1"]],
      ["report.ts", ["--run", `${dir}/run`, "--out", blocker]],
      ["convert.ts", [`${dir}/in.pt`, `${blocker}/out.pt`]],
      ["demo.ts", ["--preset", "quick", "--out", blocker]],
    ];
    // Two at a time (two cores).
    const results: { code: number; stderr: string }[] = [];
    for (let i = 0; i < cases.length; i += 2) {
      results.push(...await Promise.all(cases.slice(i, i + 2).map(([s, a]) => run(s, a))));
    }
    cases.forEach(([script], i) => {
      const tool = script.replace(/\.ts$/, "");
      const { code, stderr } = results[i];
      assert.equal(code, 1, `${tool}: ${stderr}`);
      const lines = stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${tool}: ${stderr}`);
      assert.match(
        lines[0],
        new RegExp(`^${tool}: .*${blocker} is not a writable folder \\(a file is in the way\\)$`),
      );
    });
    assert.deepEqual(await names(dir), ["blocker"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "prepare on a full disk: one line naming the shard, no partial shard left",
  // /dev/full answers every write with ENOSPC: a link to it where the shard's temporary file goes is a full disk.
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/videos`);
      for (let i = 0; i < 2; i++) {
        const frames = Array.from({ length: 8 }, (_, t) => new Uint8Array(16 * 16).fill(10 * t + i));
        await Deno.writeFile(
          `${dir}/videos/v${i}.avi`,
          writeAvi(frames, { width: 16, height: 16, channels: 1, fps: 30 }),
        );
      }
      await Deno.mkdir(`${dir}/cache`);
      await Deno.symlink("/dev/full", `${dir}/cache/shard-00000.bin.tmp`);
      const { code, stderr } = await run("prepare.ts", [
        `${dir}/videos`,
        "--out",
        `${dir}/cache`,
        "--frames",
        "4",
        "--size",
        "16",
      ]);
      assert.equal(code, 1, stderr);
      const last = stderr.trim().split("\n").at(-1)!;
      assert.match(
        last,
        /^prepare: could not write \S+shard-00000\.bin: the disk is full; no partial file was left$/,
      );
      assert.doesNotMatch(stderr, /Uncaught|^\s+at /m);
      const left = await names(`${dir}/cache`);
      assert.ok(!left.some((n) => n.startsWith("shard-")), left.join());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
