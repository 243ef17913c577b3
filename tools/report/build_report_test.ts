import assert from "node:assert/strict";
import { join } from "node:path";
import { buildReport } from "./build_report.ts";
import { decodePng } from "./deps.ts";
import { fakePartialRun, fakeRun, writeFakeRun } from "./fixture.ts";

const TABLE_IDS = [
  "verdicts",
  "controlled",
  "protocol",
  "fractions",
  "ef",
  "rvsp",
  "pediatric",
  "robustness",
];
const FIGURE_IDS = [
  "pretraining",
  "learning-curve",
  "umap",
  "label-efficiency",
  "confusion",
  "attention",
  "ef-scatter",
  "robustness-bars",
  "perturbations",
];

Deno.test("a complete run gives every table, every figure inline and as a decodable PNG", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFakeRun(dir, fakeRun());
    const summary = await buildReport(dir);
    assert.equal(summary.html, join(dir, "report", "index.html"));
    assert.deepEqual(summary.missing, []);
    const html = await Deno.readTextFile(summary.html);
    for (const id of [...TABLE_IDS, ...FIGURE_IDS]) assert.match(html, new RegExp(`id="${id}"`), id);
    assert.equal((html.match(/<table>/g) ?? []).length, TABLE_IDS.length);
    assert.equal((html.match(/<svg/g) ?? []).length, FIGURE_IDS.length);
    assert.match(html, /data:image\/png;base64,/);
    assert.match(html, /EchoJEPA-L/);
    assert.match(html, /JEPA backbone had the lowest EF MAE/);
    assert.match(
      html,
      /EF task \(A4C \+ A2C\)<\/dt><dd>300 \/ 64 \/ 64 clips \(train \/ val \/ test\) from 150 \/ 32 \/ 32 patients/,
    );
    // Outside embedded images, whose base64 may spell anything.
    assert.doesNotMatch(html.replace(/base64,[A-Za-z0-9+/=]+/g, ""), /NaN|undefined|null/);
    // Self-contained: no scripts, stylesheets or images fetched from elsewhere.
    assert.doesNotMatch(html, /<script|<link|src="http|href="http/);
    assert.deepEqual(
      summary.pngs.map((p) => p.split("/").at(-1)).sort(),
      FIGURE_IDS.map((id) => `${id}.png`).sort(),
    );
    for (const path of summary.pngs) {
      const png = decodePng(await Deno.readFile(path));
      assert.ok(png.width > 100 && png.height > 100, `${path}: ${png.width}×${png.height}`);
      // Not a blank canvas: some pixels are far from white.
      assert.ok(png.data.some((v, i) => i % png.channels < 3 && v < 128), `${path} is blank`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run with most sections missing still builds and lists what is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFakeRun(dir, fakePartialRun());
    const out = join(dir, "elsewhere");
    const summary = await buildReport(dir, { outDir: out });
    assert.equal(summary.html, join(out, "index.html"));
    const html = await Deno.readTextFile(summary.html);
    assert.match(html, /Not measured yet/);
    assert.match(html, /No EF results yet\./);
    assert.match(html, /No example clips written yet/);
    assert.match(html, /only JEPA measured so far/);
    // Outside embedded images, whose base64 may spell anything.
    assert.doesNotMatch(html.replace(/base64,[A-Za-z0-9+/=]+/g, ""), /NaN|undefined|null/);
    assert.deepEqual(summary.pngs.map((p) => p.split("/").at(-1)).sort(), [
      "label-efficiency.png",
      "learning-curve.png",
      "pretraining.png",
      "umap.png",
    ]);
    assert.ok(summary.missing.length >= 6, summary.missing.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run with only results.json's header builds an HTML-only report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "results.json"),
      JSON.stringify({ preset: "quick", stageSeconds: {} }),
    );
    const summary = await buildReport(dir, { png: false });
    assert.deepEqual(summary.pngs, []);
    const html = await Deno.readTextFile(summary.html);
    assert.match(html, /preset quick/);
    assert.match(html, /No data or encoder settings recorded yet/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
