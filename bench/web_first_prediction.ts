/**
 * Time to first prediction in the browser page: Chromium headless, the demo's model bundle, one real A4C clip, on
 * each backend (`?backend=webgpu`: WebGPU on Chromium's software adapter; `?backend=wasm`: the CPU backend),
 * each in a fresh page. Prints the page's own timings and saves the screenshot used in the docs (WebGPU run).
 *
 *     deno task demo --preset quick --out runs/demo-quick   # once, for runs/demo-quick/model.safetensors
 *     deno run -A bench/web_first_prediction.ts [--model runs/demo-quick/model.safetensors] [--video FILE]
 *         [--backends webgpu,wasm]
 *
 * @module
 */

import { parseArgs } from "node:util";
import puppeteer from "puppeteer-core";
import { bundle } from "../tools/bundle.ts";
import { serveStatic } from "../tools/serve.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "runs/demo-quick/model.safetensors" },
    video: {
      type: "string",
      default: "../shared/samples/pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
    },
    screenshot: { type: "string", default: "docs/web-page.png" },
    backends: { type: "string", default: "webgpu,wasm" },
  },
});
await bundle();
const server = serveStatic(`${Deno.cwd()}/dist/web`, 0);
const profile = await Deno.makeTempDir({ prefix: "echojepa-chromium-" });
const browser = await puppeteer.launch({
  executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
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
    "--enable-unsafe-webgpu",
  ],
});
try {
  for (const [i, name] of values.backends!.split(",").entries()) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1240, height: 820, deviceScaleFactor: 1 });
    await page.goto(`http://127.0.0.1:${server.addr.port}/?backend=${name}`);
    type State = {
      state: string;
      backend: string | null;
      error: string | null;
      result: { totalMs: number } | null;
    };
    const state = () => page.evaluate(() => (globalThis as unknown as { echojepa: State }).echojepa);
    await page.waitForFunction(`window.echojepa.backend !== null || window.echojepa.state === "error"`);
    const upload = async (selector: string, path: string) =>
      await ((await page.$(selector)) as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(
        path,
      );
    await upload("#weights", values.model!);
    await page.waitForFunction(`document.getElementById("model-status").textContent.includes("Heads:")`);
    await upload("#video", values.video!);
    await page.waitForFunction(`["done", "error"].includes(window.echojepa.state)`, { timeout: 300_000 });
    const s = await state();
    if (s.state !== "done") throw new Error(s.error ?? "page failed");
    const timing = await page.evaluate(`document.getElementById("timing").textContent`);
    const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
    console.log(JSON.stringify({ backend: s.backend, totalMs: Math.round(s.result!.totalMs), timing, load }));
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 700)); // let the clip play a few frames
      await page.screenshot({ path: values.screenshot! });
      console.log(`screenshot: ${values.screenshot}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.shutdown();
  await Deno.remove(profile, { recursive: true }).catch(() => {});
}
