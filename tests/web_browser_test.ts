/**
 * The browser page in a real Chromium (headless, WebGPU on its SwiftShader software adapter), driven with
 * puppeteer-core: small weights made here, every kind of real sample from `../shared/samples` (and an H.264 MP4
 * made from one with ffmpeg when it is installed), each checked against what `deno task eval` computes for the
 * same weights and file. Fails on any console error, page error or request that is not one of the page's own
 * files. Saves a screenshot to `runs/web-test/page.png`.
 *
 * Needs Chromium (`apt-get install chromium`; `CHROMIUM_PATH` to use another binary) and the samples; it is
 * ignored, saying why, without them.
 */

import assert from "node:assert/strict";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { AttentiveProbe, LinearProbe, scaleInPlace } from "@echojepa/probe";
import { init } from "@echojepa/tensor";
import { saveVit, VisionTransformer, vitConfig } from "@echojepa/vit";
import type { ClipSettings } from "@echojepa/video";
import { bundle } from "../tools/bundle.ts";
import { runEval } from "../tools/eval.ts";
import { writeModelBundle } from "../tools/lib/model_bundle.ts";
import { pooledWidth, PROBE_FORMAT, type ProbeSpec } from "../tools/lib/probe_spec.ts";
import { saveProbeDir } from "../tools/lib/probe_files.ts";
import { serveStatic } from "../tools/serve.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const SAMPLES = "../shared/samples";
const SAMPLE_FILES = [
  "pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
  "dicomparser_IM00001_us_doppler_jpegbaseline_8f.dcm",
  "gdcm_US-RGB-8-esopecho_tee_native_rgb.dcm",
  "pydicomdata_OBXXXX1A_rle_us_palette.dcm",
  "derived_a4c_112x112_mjpeg_30fps.avi",
];
const ARTIFACTS = "runs/web-test";
const TOLERANCE = 1e-4;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const missing = !exists(CHROMIUM)
  ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
  : !exists(SAMPLES)
  ? `no samples in ${SAMPLES}`
  : null;
if (missing) console.warn(`web_browser_test ignored: ${missing}`);

function hasFfmpeg(): boolean {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

const CLASS_NAMES = ["A4C", "A2C", "PLAX", "PSAX"];
const CLIPS: ClipSettings = { frames: 8, fps: 15, frameStep: 1, segments: 1, resolution: 32, sector: true };

/**
 * A tiny random encoder, an attentive view probe and a linear EF probe on statistics-pooled tokens, their heads
 * scaled up so predictions differ clearly between files.
 */
async function makeWeights(
  dir: string,
): Promise<{ encoder: string; view: string; ef: string; bundle: string }> {
  await init();
  const config = vitConfig({ embedDim: 32, depth: 2, numHeads: 2, patchSize: 8 }, {
    numFrames: 8,
    imageSize: 32,
  });
  const encoder = new VisionTransformer(config, { seed: 11 });
  const encoderPath = `${dir}/encoder.safetensors`;
  await Deno.writeFile(encoderPath, await saveVit(encoder));
  const spec = (task: ProbeSpec["task"], outputs: number): ProbeSpec => ({
    format: PROBE_FORMAT,
    task,
    classNames: task.type === "classification" ? CLASS_NAMES : null,
    probe: { kind: "attentive", dim: 32, outputs, depth: 1, heads: 2 },
    pooling: "tokens",
    scaler: task.type === "regression" ? { mean: 55, std: 12 } : null,
    encoder: { path: encoderPath, key: null, config },
    clips: CLIPS,
    training: { note: "random weights made by web_browser_test" },
    createdAt: new Date(0).toISOString(),
  });
  const viewSpec = spec({ type: "classification", numClasses: CLASS_NAMES.length }, CLASS_NAMES.length);
  // The EF head is the demo's other kind: a linear probe on each place's time mean and spread (4 time slots of
  // 4 × 4 places), so both paths also check statistics pooling.
  const efSpec: ProbeSpec = {
    ...spec({ type: "regression" }, 1),
    probe: { kind: "linear", dim: 32, outputs: 1, depth: 1, heads: 2 },
    timePooling: { kind: "meanStd", timeSlots: 4, places: 16 },
  };
  const view = new AttentiveProbe({
    dim: 32,
    outputs: CLASS_NAMES.length,
    kind: "classifier",
    depth: 1,
    numHeads: 2,
  });
  const ef = new LinearProbe({ dim: pooledWidth(32, efSpec.timePooling), outputs: 1, kind: "regressor" });
  scaleInPlace(view.linear!.weight, 200);
  scaleInPlace(ef.regressor!.weight, 40);
  await saveProbeDir(`${dir}/view`, viewSpec, view);
  await saveProbeDir(`${dir}/ef`, efSpec, ef);
  const bundlePath = `${dir}/model.safetensors`;
  await Deno.writeFile(
    bundlePath,
    await writeModelBundle(encoder, CLIPS, {
      view: { spec: viewSpec, probe: view },
      ef: { spec: efSpec, probe: ef },
    }),
  );
  encoder.dispose();
  view.dispose();
  ef.dispose();
  return { encoder: encoderPath, view: `${dir}/view`, ef: `${dir}/ef`, bundle: bundlePath };
}

/** The Deno path: `deno task eval` over a manifest of the files; per file, the view probabilities and the EF. */
async function denoPredictions(
  dir: string,
  files: string[],
  probes: { view: string; ef: string },
): Promise<Map<string, { probabilities: number[]; ef: number }>> {
  const manifest = `${dir}/files.csv`;
  await Deno.writeTextFile(manifest, files.map((f) => `${f} 0`).join("\n") + "\n");
  const read = async (probe: string, out: string) => {
    const r = await runEval({ probe, manifest, out, batch: 8, progress: false, perStudy: false });
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
    const [header, ...rows] = (await Deno.readTextFile(out)).trim().split("\n").map((l) => l.split(","));
    return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
  };
  const views = await read(probes.view, `${dir}/views.csv`);
  const efs = await read(probes.ef, `${dir}/ef.csv`);
  const out = new Map<string, { probabilities: number[]; ef: number }>();
  files.forEach((f, i) => {
    assert.equal(views[i].id, f);
    out.set(f, {
      probabilities: CLASS_NAMES.map((_, c) => Number(views[i][`p${c}`])),
      ef: Number(efs[i].prediction),
    });
  });
  return out;
}

interface PageResult {
  state: string;
  error: string | null;
  backend: string | null;
  result:
    | { file: string; view: { probabilities: number[] } | null; ef: number | null; totalMs: number }
    | null;
}

async function pageState(page: Page): Promise<PageResult> {
  return await page.evaluate(() => (globalThis as unknown as { echojepa: PageResult }).echojepa);
}

/** A file input of the page (puppeteer types `uploadFile` for DOM input elements, which Deno's types lack). */
async function fileInput(
  page: Page,
  selector: string,
): Promise<{ uploadFile(...paths: string[]): Promise<void> }> {
  const handle = await page.$(selector);
  assert.ok(handle, `no ${selector} on the page`);
  return handle as unknown as { uploadFile(...paths: string[]): Promise<void> };
}

/** Picks a video on the page and waits for its prediction. */
async function predictOnPage(page: Page, path: string): Promise<PageResult> {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const input = await fileInput(page, "#video");
  await input.uploadFile(path);
  await page.waitForFunction(
    (n: string) => {
      const s = (globalThis as unknown as { echojepa: PageResult }).echojepa;
      return s.state === "error" || (s.state === "done" && s.result?.file === n);
    },
    { timeout: 120_000 },
    name,
  );
  const state = await pageState(page);
  assert.equal(state.state, "done", `page error on ${name}: ${state.error}`);
  return state;
}

function maxDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

Deno.test({
  name:
    "web page in Chromium (WebGPU and wasm) gives the Deno path's view probabilities and EF for every sample format",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "echojepa-web-" });
    const profile = await Deno.makeTempDir({ prefix: "echojepa-chromium-" });
    let browser: Browser | undefined;
    let server: Deno.HttpServer<Deno.NetAddr> | undefined;
    try {
      const files = SAMPLE_FILES.filter((f) => exists(`${SAMPLES}/${f}`)).map((f) =>
        Deno.realPathSync(`${SAMPLES}/${f}`)
      );
      if (hasFfmpeg()) {
        const mp4 = `${dir}/derived_a4c_h264.mp4`;
        const made = new Deno.Command("ffmpeg", {
          args: [
            "-v",
            "error",
            "-y",
            "-i",
            `${SAMPLES}/${SAMPLE_FILES[4]}`,
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            mp4,
          ],
        }).outputSync();
        assert.ok(made.success, new TextDecoder().decode(made.stderr));
        files.push(mp4);
      } else console.warn("web_browser_test: no ffmpeg, so no MP4 case");
      const weights = await makeWeights(dir);
      const expected = await denoPredictions(dir, files, weights);

      await bundle();
      server = serveStatic(`${Deno.cwd()}/dist/web`, 0);
      const origin = `http://127.0.0.1:${server.addr.port}`;
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${profile}`,
          // WebGPU on Chromium's SwiftShader (software) adapter; nothing else is needed without a GPU.
          "--enable-unsafe-webgpu",
        ],
      });
      const problems: string[] = [];
      // A page on the backend the address asks for (none: the page's own choice, WebGPU here).
      const openPage = async (query: string, backend: RegExp): Promise<Page> => {
        const page = await browser!.newPage();
        await page.setViewport({ width: 1240, height: 860 });
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(`console error: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page error: ${(e as Error).message}`));
        page.on("request", (r) => {
          const url = r.url().replace(/\?.*$/, "");
          const own = ["/", "/index.html", "/app.js", "/style.css"].some((p) => url === origin + p);
          if (!own) problems.push(`unexpected request: ${url}`);
        });
        await page.goto(`${origin}/${query}`, { waitUntil: "load" });
        await page.waitForFunction(() => {
          const s = (globalThis as unknown as { echojepa: PageResult }).echojepa;
          return s.backend !== null || s.state === "error";
        });
        const started = await pageState(page);
        assert.match(started.backend ?? `no backend: ${started.error}`, backend);
        return page;
      };
      const page = await openPage("", /^webgpu/);

      // 1. Encoder + probe files.
      const weightsInput = await fileInput(page, "#weights");
      await weightsInput.uploadFile(
        weights.encoder,
        `${weights.view}/probe.safetensors`,
        `${weights.ef}/probe.safetensors`,
      );
      await page.waitForFunction(`document.getElementById("model-status").textContent.includes(\"Heads:\")`);
      const seen: number[][] = [];
      const efs: number[] = [];
      for (const file of files) {
        const got = (await predictOnPage(page, file)).result!;
        const want = expected.get(file)!;
        const dp = maxDiff(got.view!.probabilities, want.probabilities);
        const de = Math.abs(got.ef! - want.ef);
        console.log(
          `  ${file.slice(file.lastIndexOf("/") + 1)}: max |Δp| ${dp.toExponential(1)}, |ΔEF| ${
            de.toExponential(1)
          }, ${got.totalMs.toFixed(0)} ms`,
        );
        assert.ok(dp <= TOLERANCE, `${file}: view probabilities differ by ${dp}`);
        // EF is in percent; σ = 12 scales the probe's output, so compare it relative to that scale too.
        assert.ok(de <= TOLERANCE * 12, `${file}: EF differs by ${de}`);
        seen.push(got.view!.probabilities);
        efs.push(got.ef!);
      }
      // The check means something only if the files give different predictions.
      const spread = Math.max(...seen.flatMap((a) => seen.map((b) => maxDiff(a, b))));
      const efSpread = Math.max(...efs) - Math.min(...efs);
      console.log(
        `  largest difference between two files' probabilities: ${spread.toFixed(3)}, EFs: ${
          efSpread.toFixed(2)
        }`,
      );
      assert.ok(spread > 1e-2, "every file gave the same prediction");
      assert.ok(efSpread > 0.1, "every file gave the same EF");

      // 2. The same weights as one model bundle.
      await weightsInput.uploadFile(weights.bundle);
      await page.waitForFunction(
        `document.getElementById("model-status").textContent.includes(\"model.safetensors\")`,
      );
      const last = files[0];
      const fromBundle = (await predictOnPage(page, last)).result!;
      const db = maxDiff(fromBundle.view!.probabilities, expected.get(last)!.probabilities);
      assert.ok(db <= TOLERANCE, `model bundle: view probabilities differ by ${db}`);
      assert.ok(
        Math.abs(fromBundle.ef! - expected.get(last)!.ef) <= TOLERANCE * 12,
        "model bundle: EF differs",
      );

      // 3. The CPU path: the same files on the WebAssembly backend (one thread: the page is not
      // cross-origin isolated).
      const cpu = await openPage("?backend=wasm", /^wasm/);
      await (await fileInput(cpu, "#weights")).uploadFile(weights.bundle);
      await cpu.waitForFunction(
        `document.getElementById("model-status").textContent.includes(\"model.safetensors\")`,
      ).catch(async (e) => {
        throw new Error(`wasm page: ${JSON.stringify(await pageState(cpu))} ${problems.join("; ")}`, {
          cause: e,
        });
      });
      for (const file of files) {
        const got = (await predictOnPage(cpu, file)).result!;
        const want = expected.get(file)!;
        const dp = maxDiff(got.view!.probabilities, want.probabilities);
        console.log(
          `  wasm ${file.slice(file.lastIndexOf("/") + 1)}: max |Δp| ${dp.toExponential(1)}, ${
            got.totalMs.toFixed(0)
          } ms`,
        );
        assert.ok(dp <= TOLERANCE, `wasm, ${file}: view probabilities differ by ${dp}`);
        assert.ok(Math.abs(got.ef! - want.ef) <= TOLERANCE * 12, `wasm, ${file}: EF differs`);
      }
      await cpu.close();

      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/page.png` });
      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
      await server?.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});
