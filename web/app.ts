/// <reference lib="dom" />
/**
 * The browser page: pick weights (a model bundle, or an encoder and probe files) and an echo video (DICOM, AVI,
 * MP4), then see the predicted view, the LVEF and where the view probe looked. Everything is read from the files
 * the user picks; the page never opens a connection (its Content-Security-Policy forbids it).
 *
 * Bundled by `deno task bundle` into `dist/web/app.js`; the state of the last run is exposed on
 * `window.echojepa` and `document.body.dataset.state` for the browser test.
 *
 * @module
 */

import { IMAGENET_MEAN, IMAGENET_STD } from "@echojepa/augment";
import { describeBackend, init } from "@echojepa/tensor";
import { openVideo } from "@echojepa/video";
import { type ClipPrediction, predictClip } from "../tools/lib/clip_prediction.ts";
import {
  disposeModel,
  type LoadedModel,
  openEncoderAndProbes,
  openModelBundle,
  weightsKind,
} from "../tools/lib/model_bundle.ts";

/** What the page exposes for tests and for the curious (`window.echojepa` in the console). */
interface PageState {
  state: "idle" | "busy" | "done" | "error";
  backend: string | null;
  error: string | null;
  result: {
    file: string;
    view: { probabilities: number[]; prediction: number; name: string | null } | null;
    ef: number | null;
    timings: ClipPrediction["timings"];
    totalMs: number;
  } | null;
}

const page: PageState = { state: "idle", backend: null, error: null, result: null };
(globalThis as { echojepa?: PageState }).echojepa = page;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function setState(state: PageState["state"]): void {
  page.state = state;
  document.body.dataset.state = state;
}

function showError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  page.error = message;
  $("error").textContent = message;
  $("error").hidden = false;
  setState("error");
}

/**
 * The one place the page chooses its compute backend: `?backend=webgpu|wasm` when the address asks for one, else
 * WebGPU, and the WebAssembly CPU backend where the browser has no WebGPU adapter.
 */
async function startBackend(): Promise<string> {
  const asked = new URLSearchParams(location.search).get("backend");
  if (asked === "webgpu" || asked === "wasm") return describeBackend(await init({ backend: asked }));
  try {
    return describeBackend(await init({ backend: "webgpu" }));
  } catch {
    return describeBackend(await init({ backend: "wasm" }));
  }
}

const backendReady = startBackend().then(
  (name) => {
    page.backend = name;
    $("backend").textContent = `Backend: ${name}`;
    return true;
  },
  (e) => {
    $("backend").textContent = `Backend: none. ${(e as Error).message}`;
    showError(e);
    return false;
  },
);

let model: LoadedModel | null = null;
let video: { bytes: Uint8Array; name: string } | null = null;

async function readFile(f: File): Promise<Uint8Array> {
  return new Uint8Array(await f.arrayBuffer());
}

function describeModel(m: LoadedModel): string {
  const c = m.spec.encoder;
  const s = m.spec.clips;
  const heads = Object.entries(m.heads).map(([n, h]) =>
    n === "view"
      ? `view (${h!.spec.task.type === "classification" ? h!.spec.task.numClasses : 0} classes)`
      : "EF"
  );
  const rate = s.fps !== null ? `${s.fps} fps` : `every ${s.frameStep}th frame`;
  return `Encoder: ViT ${c.embedDim}-wide, ${c.depth} blocks, patch ${c.patchSize}, tubelet ${c.tubeletSize}\n` +
    `Clips: ${s.segments}×${s.frames} frames at ${rate}, ${s.resolution}px, sector ${
      s.sector ? "on" : "off"
    }\n` +
    `Heads: ${heads.join(", ")}`;
}

async function loadWeights(files: File[]): Promise<void> {
  if (!(await backendReady)) return;
  const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await readFile(f) })));
  const kinds = read.map((r) => ({ ...r, kind: weightsKind(r.bytes) }));
  const bundle = kinds.find((k) => k.kind === "bundle");
  const encoder = kinds.find((k) => k.kind === "encoder");
  let next: LoadedModel;
  if (bundle) next = openModelBundle(bundle.bytes, bundle.name);
  else if (encoder) {
    next = openEncoderAndProbes(encoder.bytes, kinds.filter((k) => k.kind === "probe"), encoder.name);
  } else {
    throw new Error(
      `none of ${read.map((r) => r.name).join(", ")} is a model bundle or an encoder written by this project`,
    );
  }
  if (model) disposeModel(model);
  model = next;
  $("model-status").textContent = `${read.map((r) => r.name).join(" + ")}\n${describeModel(model)}`;
}

let playing = 0;

async function run(): Promise<void> {
  if (!model || !video) return;
  setState("busy");
  $("error").hidden = true;
  const progress = $<HTMLProgressElement>("progress");
  progress.removeAttribute("value");
  const t0 = performance.now();
  const v = await openVideo(video.bytes, { label: video.name });
  $("video-status").textContent =
    `${video.name}\n${v.format.toUpperCase()} ${v.codec}, ${v.width}×${v.height}, ${v.frameCount} frames, ` +
    `${v.fps.toFixed(1)} fps`;
  let prediction: ClipPrediction;
  try {
    prediction = await predictClip(model, v, {
      onProgress: (done, total) => (progress.max = total, progress.value = done),
    });
  } finally {
    v.close();
  }
  const totalMs = performance.now() - t0;
  progress.max = 1;
  progress.value = 1;
  const t = prediction.timings;
  $("timing").textContent = `First prediction in ${(totalMs / 1000).toFixed(2)} s: read + preprocess ` +
    `${t.preprocessMs.toFixed(0)} ms, encoder ${t.encodeMs.toFixed(0)} ms, probes ${t.headsMs.toFixed(0)} ms`;
  showPrediction(prediction, v.fps);
  const view = prediction.heads.view;
  page.result = {
    file: video.name,
    view: view
      ? {
        probabilities: view.probabilities!,
        prediction: view.prediction,
        name: view.classNames?.[view.prediction] ?? null,
      }
      : null,
    ef: prediction.heads.ef?.prediction ?? null,
    timings: t,
    totalMs,
  };
  setState("done");
}

function showPrediction(p: ClipPrediction, sourceFps: number): void {
  const view = p.heads.view;
  const bars = $("view-bars");
  bars.replaceChildren();
  if (view?.probabilities) {
    const names = view.classNames ?? view.probabilities.map((_, i) => `class ${i}`);
    $("view-name").textContent = names[view.prediction];
    const order = view.probabilities.map((q, i) => [q, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 6);
    const best = order[0][0];
    for (const [q, i] of order) {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = names[i];
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = `${Math.max(1, (q / best) * 100)}%`; // relative to the top class
      const pct = document.createElement("span");
      pct.className = "p";
      pct.textContent = `${(q * 100).toFixed(1)} %`;
      li.append(name, bar, pct);
      bars.append(li);
    }
  } else $("view-name").textContent = "no view probe";
  const ef = p.heads.ef;
  $("ef").textContent = ef ? `${ef.prediction.toFixed(1)} %` : "no EF probe";
  $("ef-note").textContent = ef ? "Ejection fraction predicted by the EF probe from this one clip." : "";
  animate(p, view?.attention ?? null, sourceFps);
}

/** An "inferno"-like ramp from black through red to yellow, for attention weights in [0, 1]. */
function heat(x: number): [number, number, number] {
  const r = Math.min(1, x * 1.8);
  const g = Math.min(1, Math.max(0, x * 1.6 - 0.45));
  const b = Math.max(0, Math.min(1, 0.5 - Math.abs(x - 0.25) * 2)) + Math.max(0, x - 0.85) * 3;
  return [r * 255, g * 255, Math.min(1, b) * 255];
}

function animate(p: ClipPrediction, attention: number[] | null, sourceFps: number): void {
  const s = model!.spec.clips;
  const [frames, h, w] = p.clip.clip.shape;
  const res = s.resolution;
  const [gt, gh, gw] = p.grid;
  const perSegment = gt * gh * gw;
  // Contrast stretch: a small probe's attention is often nearly uniform, so show it relative to its range.
  const max = attention ? Math.max(...attention) : 1;
  const min = attention ? Math.min(...attention) : 0;
  const range = Math.max(max - min, 1e-12);
  const tubelet = s.frames / gt;
  // The share of attention on each frame's tubelet, for the timeline.
  const timeline = $("timeline");
  timeline.replaceChildren();
  const perFrame = Array.from({ length: frames }, (_, f) => {
    if (!attention) return 0;
    const seg = Math.floor(f / s.frames);
    const ti = Math.floor((f % s.frames) / tubelet);
    let sum = 0;
    for (let k = 0; k < gh * gw; k++) sum += attention[seg * perSegment + ti * gh * gw + k];
    return sum / tubelet;
  });
  const top = Math.max(...perFrame, 1e-12);
  const ticks = perFrame.map((v) => {
    const d = document.createElement("div");
    d.style.height = `${Math.max(4, (v / top) * 100)}%`;
    timeline.append(d);
    return d;
  });
  const source = $<HTMLCanvasElement>("source");
  source.width = w;
  source.height = h;
  const input = $<HTMLCanvasElement>("input");
  input.width = res;
  input.height = res;
  const sctx = source.getContext("2d")!;
  const ictx = input.getContext("2d")!;
  const simg = sctx.createImageData(w, h);
  const iimg = ictx.createImageData(res, res);
  const overlay = $<HTMLInputElement>("overlay");
  const stride = frames === 0 ? 0 : p.clip.indices.length > 1 ? p.clip.indices[1] - p.clip.indices[0] : 1;
  const clipFps = sourceFps / Math.max(1, stride);
  $("clip-info").textContent = `${frames} frames at ${clipFps.toFixed(1)} fps (source frames ` +
    `${p.clip.indices[0]}–${p.clip.indices[p.clip.indices.length - 1]})`;
  const token = playing = (playing + 1) % 1e9;
  let f = 0;
  const draw = (): void => {
    if (token !== playing) return;
    const grey = p.clip.clip.data.subarray(f * h * w, (f + 1) * h * w); // readClipSegments makes it row-major
    for (let i = 0; i < h * w; i++) {
      simg.data[i * 4] = simg.data[i * 4 + 1] = simg.data[i * 4 + 2] = grey[i];
      simg.data[i * 4 + 3] = 255;
    }
    sctx.putImageData(simg, 0, 0);
    const seg = Math.floor(f / s.frames);
    const local = f % s.frames;
    const x = p.inputs[seg];
    const plane = res * res;
    const ti = Math.floor(local / tubelet);
    for (let y = 0; y < res; y++) {
      for (let xx = 0; xx < res; xx++) {
        const i = y * res + xx;
        // Channel 0 of the normalised input, back to 0–255.
        const v = (x[local * plane + i] * IMAGENET_STD[0] + IMAGENET_MEAN[0]) * 255;
        let rgb: [number, number, number] = [v, v, v];
        if (attention && overlay.checked) {
          const k = seg * perSegment + ti * gh * gw + Math.floor((y * gh) / res) * gw +
            Math.floor((xx * gw) / res);
          const a = (attention[k] - min) / range;
          const c = heat(a);
          const alpha = 0.6 * a * a;
          rgb = [
            v * (1 - alpha) + c[0] * alpha,
            v * (1 - alpha) + c[1] * alpha,
            v * (1 - alpha) + c[2] * alpha,
          ];
        }
        iimg.data[i * 4] = rgb[0];
        iimg.data[i * 4 + 1] = rgb[1];
        iimg.data[i * 4 + 2] = rgb[2];
        iimg.data[i * 4 + 3] = 255;
      }
    }
    ictx.putImageData(iimg, 0, 0);
    ticks.forEach((d, k) => d.classList.toggle("now", k === f));
    f = (f + 1) % frames;
    setTimeout(draw, 1000 / Math.min(30, Math.max(4, clipFps)));
  };
  draw();
}

let queue: Promise<void> = Promise.resolve();

/** Runs user actions one after the other (a second file picked mid-run waits), showing any error on the page. */
function guarded(fn: () => Promise<void>): Promise<void> {
  queue = queue.then(async () => {
    try {
      await fn();
    } catch (e) {
      showError(e);
    }
  });
  return queue;
}

$<HTMLInputElement>("weights").addEventListener("change", (ev) => {
  const files = [...((ev.target as HTMLInputElement).files ?? [])];
  if (files.length) void guarded(async () => (await loadWeights(files), await run()));
});

async function takeVideo(f: File): Promise<void> {
  video = { bytes: await readFile(f), name: f.name };
  $("video-status").textContent = f.name;
  if (!model) $("model-status").textContent = "Pick weights to make a prediction.";
  await run();
}

$<HTMLInputElement>("video").addEventListener("change", (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) void guarded(() => takeVideo(f));
});

const drop = $("drop");
drop.addEventListener("dragover", (ev) => (ev.preventDefault(), drop.classList.add("over")));
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (ev) => {
  ev.preventDefault();
  drop.classList.remove("over");
  const f = ev.dataTransfer?.files?.[0];
  if (f) void guarded(() => takeVideo(f));
});
