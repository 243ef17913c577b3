/**
 * `deno task synth` — the phantom's command line.
 *
 *   deno task synth --out DIR --patients N [--seed S] [--frames 16] [--size 112] [--views A4C,PLAX,…]
 *                   [--clips-per-view 1] [--workers N] [--dicom] [--no-avi] [--nuisance full|clinical|none]
 *                   [--ef-dist clinical|uniform] [--pediatric-fraction 0.15]
 *       Writes an EchoNet-Dynamic-style folder (Videos/*.avi, FileList.csv), optional DICOM study folders and the
 *       reference-style manifests (see packages/phantom/write_dataset.ts).
 *   deno task synth --report [--out DIR]
 *       Writes DIR/realism.png (simulated A4C frames above the real sample's) and prints speckle statistics.
 *   deno task synth --eval [--patients N]
 *       Raw-pixel nearest-centroid view baseline on held-out patients, and the RVSP two-view check.
 *   deno task synth --bench [--clips N] [--workers N]
 *       Clips per second for 16-frame 112×112 clips.
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import {
  generateClip,
  linearR2,
  parseViewName,
  PhantomWorkerPool,
  rawPixelViewBaseline,
  realismReport,
  rvspViewFeatures,
  samplePatient,
  VIEW_NAMES,
  writeDataset,
} from "@echojepa/phantom";
import type { CineStatistics, EfDistribution, NuisanceLevel } from "@echojepa/phantom";
import { readRealCine } from "./lib/real_cine.ts";
import { CliError, ensureWritableDir, numberFlag, progressBar, required, runCli } from "./lib/cli.ts";

const USAGE = `usage:
  deno task synth --out DIR --patients N [--seed S] [--frames 16] [--size 112] [--views A4C,PLAX,...]
                  [--clips-per-view 1] [--workers N] [--dicom] [--no-avi] [--nuisance full|clinical|none]
                  [--ef-dist clinical|uniform] [--pediatric-fraction 0.15]
  deno task synth --report [--out DIR]
  deno task synth --eval [--patients N]
  deno task synth --bench [--clips N] [--workers N]
views: ${VIEW_NAMES.join(", ")}`;

const REAL_SAMPLE = new URL(
  "../../shared/samples/pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm",
  import.meta.url,
);

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      patients: { type: "string" },
      seed: { type: "string", default: "0" },
      frames: { type: "string", default: "16" },
      size: { type: "string", default: "112" },
      views: { type: "string" },
      "clips-per-view": { type: "string", default: "1" },
      workers: { type: "string" },
      dicom: { type: "boolean", default: false },
      "no-avi": { type: "boolean", default: false },
      nuisance: { type: "string", default: "full" },
      "ef-dist": { type: "string", default: "clinical" },
      "pediatric-fraction": { type: "string", default: "0.15" },
      report: { type: "boolean", default: false },
      eval: { type: "boolean", default: false },
      bench: { type: "boolean", default: false },
      clips: { type: "string", default: "60" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const int = (name: string, v: string | undefined, min: number): number =>
    required(name, numberFlag(name, v, { integer: true, min }));
  const workers = values.workers === undefined
    ? navigator.hardwareConcurrency ?? 2
    : int("workers", values.workers, 1);
  if (values.report) return await report(values.out ?? "runs/synth-report");
  if (values.eval) return evaluate(int("patients", values.patients ?? "40", 2));
  if (values.bench) return await bench(int("clips", values.clips, 1), workers);

  if (!values.out || values.patients === undefined) {
    console.error(USAGE);
    throw new CliError("--out and --patients are required to write a data set");
  }
  const nuisance = values.nuisance as NuisanceLevel;
  if (nuisance !== "full" && nuisance !== "clinical" && nuisance !== "none") {
    throw new CliError(`--nuisance must be full, clinical or none, got "${nuisance}"`);
  }
  const efDistribution = values["ef-dist"] as EfDistribution;
  if (efDistribution !== "clinical" && efDistribution !== "uniform") {
    throw new CliError(`--ef-dist must be clinical or uniform, got "${efDistribution}"`);
  }
  const size = int("size", values.size, 16);
  await ensureWritableDir("out", values.out); // before generating anything
  const bar = progressBar("synth");
  const summary = await writeDataset({
    out: values.out,
    patients: int("patients", values.patients, 1),
    seed: int("seed", values.seed, 0),
    frames: int("frames", values.frames, 1),
    height: size,
    width: size,
    views: values.views ? values.views.split(",").map((v) => parseViewName(v.trim())) : undefined,
    clipsPerView: int("clips-per-view", values["clips-per-view"], 1),
    workers,
    dicom: values.dicom,
    avi: !values["no-avi"],
    nuisance,
    patient: {
      efDistribution,
      pediatricFraction: numberFlag("pediatric-fraction", values["pediatric-fraction"], { min: 0 })!,
    },
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.finish();
  console.log(
    `wrote ${summary.clips} clips of ${summary.patients} patients (train ${summary.perSplit.train}, val ${summary.perSplit.val}, test ${summary.perSplit.test}) to ${summary.out}: ${
      (summary.bytes / 1e6).toFixed(1)
    } MB in ${summary.seconds.toFixed(1)} s`,
  );
}

/** Side-by-side PNG of simulated and real A4C frames, and their statistics. */
async function report(outDir: string): Promise<void> {
  await ensureWritableDir("report", outDir);
  const r = realismReport({ real: await readRealCine(REAL_SAMPLE) });
  const line = (s: CineStatistics) =>
    `frame grey mean/std ${s.frameMean.toFixed(1)}/${s.frameStd.toFixed(1)}, in-sector ${
      s.sectorMean.toFixed(1)
    }/${s.sectorStd.toFixed(1)}, tissue-window envelope SNR ${s.windowEnvelopeSnr.toFixed(2)}`;
  console.log(
    `simulated A4C (8 clips × 30 frames, 112×112, full nuisance, no UI; own DR): ${line(r.simulated)}`,
  );
  console.log(
    `  envelope SNR of homogeneous tissue before log compression: ${
      r.homogeneousEnvelopeSnr.toFixed(3)
    } (Rayleigh 1.91)`,
  );
  if (r.real) {
    console.log(`real A4C sample (sector cropped square, 112×112; assumed DR 50 dB): ${line(r.real)}`);
  } else console.warn(`real sample not available (${r.realError}); the PNG has simulated rows only`);
  const { png: _png, ...stats } = r;
  await Deno.writeFile(`${outDir}/realism.png`, r.png);
  await Deno.writeTextFile(`${outDir}/realism.json`, JSON.stringify(stats, null, 2) + "\n");
  console.log(`wrote ${outDir}/realism.png (rows: simulated, simulated, real) and ${outDir}/realism.json`);
}

function evaluate(patients: number): void {
  const test = Math.max(1, Math.round(patients / 4));
  const r = rawPixelViewBaseline({ trainPatients: patients - test, testPatients: test, seed: 1 });
  console.log(
    `raw-pixel nearest-centroid view accuracy on ${r.testClips} held-out clips (${
      patients - test
    } train / ${test} test patients): ${(100 * r.accuracy).toFixed(1)} % (chance ${
      (100 * r.chance).toFixed(1)
    } %)`,
  );
  const pats = Array.from({ length: 2000 }, (_, i) => samplePatient(i));
  const y = pats.map((p) => p.rvsp), f = pats.map(rvspViewFeatures);
  console.log(
    `RVSP linear R² from view-visible quantities (2000 patients): A4C ${
      linearR2(f.map((v) => v.a4c), y).toFixed(3)
    }, Subcostal ${linearR2(f.map((v) => v.subcostal), y).toFixed(3)}, both ${
      linearR2(f.map((v) => [...v.a4c, ...v.subcostal]), y).toFixed(3)
    }`,
  );
}

async function bench(clips: number, workers: number): Promise<void> {
  for (let i = 0; i < 4; i++) generateClip(10_000 + i); // JIT warm-up
  const c0 = process.cpuUsage();
  let t0 = performance.now();
  for (let i = 0; i < clips; i++) generateClip(i);
  const single = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(
    `1 thread: ${clips} clips (16×112×112) in ${(single / 1000).toFixed(2)} s → ${
      (clips / single * 1000).toFixed(1)
    } clips/s, ${((cpu.user + cpu.system) / 1000 / clips).toFixed(1)} CPU-ms per clip`,
  );
  const pool = new PhantomWorkerPool(workers);
  try {
    await Promise.all(Array.from({ length: workers * 2 }, (_, i) => pool.generateClip(20_000 + i))); // warm-up
    t0 = performance.now();
    await Promise.all(Array.from({ length: clips }, (_, i) => pool.generateClip(i)));
    const par = performance.now() - t0;
    console.log(
      `${workers} workers: ${clips} clips in ${(par / 1000).toFixed(2)} s → ${
        (clips / par * 1000).toFixed(1)
      } clips/s`,
    );
  } finally {
    pool.close();
  }
}

if (import.meta.main) await runCli("synth", main);
