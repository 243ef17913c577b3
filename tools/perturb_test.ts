import assert from "node:assert/strict";
import { openVideo } from "@echojepa/video";
import { missingFile, optionalTest } from "@echojepa/core/testing";

const tool = new URL("./perturb.ts", import.meta.url).pathname;
const sample = new URL("../../shared/samples/derived_a4c_112x112_mjpeg_30fps.avi", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", tool, ...args] }).output();
  const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("perturb CLI: synthetic clip → per-condition AVIs, CSVs, grid and report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await run([
      "--synthetic",
      "--out",
      dir,
      "--conditions",
      "gaussian-shadow-high,rib-shadow-low",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const csv = await Deno.readTextFile(`${dir}/gaussian-shadow-high.csv`);
    assert.match(csv, /gaussian-shadow-high\/synthetic-fan\.avi 0\n/);
    const video = await openVideo(`${dir}/rib-shadow-low/synthetic-fan.avi`);
    assert.equal(video.frameCount, 16);
    video.close();
    const png = await Deno.readFile(`${dir}/grids/synthetic-fan.png`);
    assert.deepEqual(Array.from(png.subarray(1, 4)), [80, 78, 71]); // "PNG"
    const report = JSON.parse(await Deno.readTextFile(`${dir}/perturb.json`));
    assert.equal(report.conditions.length, 2);
    assert.ok(report.clips[0].sector, "the synthetic fan should be recognised as a sector");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("perturb CLI: rejects unknown conditions and missing input", async () => {
  const bad = await run(["--synthetic", "--conditions", "fog-high"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown condition "fog-high"/);
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /exactly one of --manifest, --input, --synthetic/);
});

optionalTest("perturb CLI: real EchoNet-style AVI sample, grid only", missingFile(sample), async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await run(["--input", sample, "--out", dir, "--grid-only", "--conditions", "all"]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/perturb.json`));
    assert.equal(report.failures.length, 0);
    // The fitted apex lies above the frame and near the middle column, as in any apical view.
    const sector = report.clips[0].sector;
    assert.ok(sector && sector.apexY < 5 && Math.abs(sector.apexX - 56) < 15, JSON.stringify(sector));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
