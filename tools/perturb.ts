/**
 * `deno task perturb`: writes perturbed copies of a manifest's clips (one folder and one reference-format CSV per
 * condition, ready for probe inference as in the EchoJEPA robustness benchmark) and a labelled PNG grid of each
 * clip under every condition.
 *
 *     deno task perturb --manifest EchoNet-Dynamic/FileList.csv --split test --out runs/perturb
 *     deno task perturb --input ../shared/samples/derived_a4c_112x112_mjpeg_30fps.avi --conditions all --grid-only
 *     deno task perturb --synthetic --out runs/perturb-demo
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Clip, makeClip, rowMajorData } from "@echojepa/core";
import {
  conditionGridPng,
  CONDITIONS,
  perturbClip,
  REFERENCE_CONDITION_IDS,
  sectorFromMask,
  type SectorGeometry,
} from "@echojepa/perturb";
import {
  detectSector,
  formatReferenceCsv,
  loadManifest,
  type ManifestEntry,
  openVideo,
  writeAvi,
} from "@echojepa/video";
import { CliError, ensureWritableDir, progressBar, runCli } from "./lib/cli.ts";

const HELP = `deno task perturb [options]

Input (one of):
  --manifest PATH     reference CSV, EchoNet FileList.csv or a folder (first view of each row is used)
  --input PATH        one video file (DICOM, AVI, MP4)
  --synthetic         a generated fan-shaped clip (no data needed)

Options:
  --out DIR           output folder (default runs/perturb)
  --conditions LIST   "reference" (the paper's 6, default), "all", or comma-separated ids
  --seed N            experiment seed (default 0); output depends only on (clip stem, condition, seed)
  --split NAME        keep manifest rows of this split only (e.g. test)
  --limit N           process at most N clips
  --sector MODE       "auto" (detect the fan; default) or "none" (image coordinates)
  --depth-cm X        imaging depth represented by the fan, cm (default 15)
  --grid-only         write only the PNG grids
  --frame K           frame shown in the grid (default: middle)
  --codec C           MJPG (default, EchoNet style) or DIB (lossless) for the perturbed AVIs
  --list              print the condition catalogue and exit
`;

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      manifest: { type: "string" },
      input: { type: "string" },
      synthetic: { type: "boolean", default: false },
      out: { type: "string", default: "runs/perturb" },
      conditions: { type: "string", default: "reference" },
      seed: { type: "string", default: "0" },
      split: { type: "string" },
      limit: { type: "string" },
      sector: { type: "string", default: "auto" },
      "depth-cm": { type: "string", default: "15" },
      "grid-only": { type: "boolean", default: false },
      frame: { type: "string" },
      codec: { type: "string", default: "MJPG" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });

  function fail(message: string): never {
    throw new CliError(`${message} (see --help)`, 2);
  }

  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.list) {
    for (const c of CONDITIONS) {
      console.log(`${c.id.padEnd(28)} ${c.reference ? "[reference] " : ""}${c.description}`);
    }
    return;
  }

  const conditions = values.conditions === "reference"
    ? [...REFERENCE_CONDITION_IDS]
    : values.conditions === "all"
    ? CONDITIONS.map((c) => c.id)
    : values.conditions.split(",").map((s) => s.trim()).filter(Boolean);
  for (const id of conditions) {
    if (!CONDITIONS.some((c) => c.id === id)) fail(`unknown condition "${id}" (see --list)`);
  }
  const seed = Number(values.seed);
  if (!Number.isFinite(seed)) fail(`--seed must be a number, got ${values.seed}`);
  const depthCm = Number(values["depth-cm"]);
  if (!(depthCm > 0)) fail(`--depth-cm must be > 0, got ${values["depth-cm"]}`);
  if (values.sector !== "auto" && values.sector !== "none") fail(`--sector must be auto or none`);
  if (values.codec !== "MJPG" && values.codec !== "DIB") fail(`--codec must be MJPG or DIB`);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  const sources = [values.manifest, values.input, values.synthetic ? "synthetic" : undefined].filter(Boolean);
  if (sources.length !== 1) fail("give exactly one of --manifest, --input, --synthetic");
  // Before reading any clip: an unwritable --out is one line and exit 1, not a stack after the work.
  await ensureWritableDir("out", values.out.replace(/\/+$/, ""));

  /** One clip to process: a stable id (file stem), its label and how to read it. */
  interface Job {
    id: string;
    label?: number;
    read: () => Promise<{ clip: Clip<Uint8Array>; fps: number }>;
  }

  function stemOf(path: string): string {
    const name = path.split(/[\\/]/).pop() ?? path;
    return name.replace(/\.[^.]*$/, "");
  }

  function videoJob(path: string, label?: number): Job {
    return {
      id: stemOf(path),
      label,
      read: async () => {
        const video = await openVideo(path);
        try {
          return { clip: await video.readAll(), fps: video.fps };
        } finally {
          video.close();
        }
      },
    };
  }

  /** A 16-frame 112×112 fan with moving texture, for trying the tool without data. */
  function syntheticJob(): Job {
    return {
      id: "synthetic-fan",
      read: () => {
        const [t, h, w] = [16, 112, 112];
        const data = new Uint8Array(t * h * w);
        for (let f = 0; f < t; f++) {
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              const dx = x - w / 2;
              const r = Math.hypot(dx, y + 4);
              const inFan = Math.abs(Math.atan2(dx, y + 4)) < 0.7 && r < 110;
              const wall = Math.abs(r - 60 - 6 * Math.sin((2 * Math.PI * f) / t)) < 5 ? 120 : 0;
              const texture = ((x * 73 + y * 151 + f * 17) % 97) / 97;
              data[(f * h + y) * w + x] = inFan ? Math.min(255, 40 + wall + 60 * texture) : 0;
            }
          }
        }
        return Promise.resolve({ clip: makeClip(data, [t, h, w]), fps: 30 });
      },
    };
  }

  let jobs: Job[];
  if (values.synthetic) {
    jobs = [syntheticJob()];
  } else if (values.input) {
    jobs = [videoJob(values.input)];
  } else {
    let entries: ManifestEntry[] = await loadManifest(values.manifest!);
    if (values.split) entries = entries.filter((e) => e.split === values.split!.toLowerCase());
    jobs = entries.filter((e) => e.paths[0]).map((e) => videoJob(e.paths[0]!, e.label));
  }
  jobs = jobs.slice(0, limit);
  if (jobs.length === 0) fail("no clips to process (check --manifest / --split)");

  function fitSector(clip: Clip<Uint8Array>): SectorGeometry | undefined {
    if (values.sector === "none") return undefined;
    const [, height, width] = clip.shape;
    const found = detectSector(clip);
    return sectorFromMask(found.mask, width, height, depthCm) ?? undefined;
  }

  const out = values.out.replace(/\/+$/, "");
  await Deno.mkdir(`${out}/grids`, { recursive: true });
  const rows: Record<string, ManifestEntry[]> = Object.fromEntries(conditions.map((c) => [c, []]));
  const report: { clip: string; sector: SectorGeometry | null }[] = [];
  const failures: string[] = [];
  const progress = progressBar(`perturb ${jobs.length} clip(s) × ${conditions.length} condition(s)`);
  for (const [done, job] of jobs.entries()) {
    try {
      const { clip, fps } = await job.read();
      const sector = fitSector(clip);
      report.push({ clip: job.id, sector: sector ?? null });
      const options = { clipId: job.id, seed, sector };
      const frame = values.frame === undefined
        ? undefined
        : Math.min(Number(values.frame), clip.shape[0] - 1);
      await Deno.writeFile(
        `${out}/grids/${job.id}.png`,
        conditionGridPng(clip, { ...options, conditions, frame }),
      );
      if (!values["grid-only"]) {
        const [, height, width] = clip.shape;
        const channels = (clip.shape.length === 4 ? clip.shape[3] : 1) as 1 | 3;
        for (const condition of conditions) {
          const perturbed = perturbClip(clip, condition, options);
          await Deno.mkdir(`${out}/${condition}`, { recursive: true });
          const path = `${out}/${condition}/${job.id}.avi`;
          const codec = values.codec as "MJPG" | "DIB";
          await Deno.writeFile(
            path,
            writeAvi(rowMajorData(perturbed), { width, height, channels, fps, codec, quality: 95 }),
          );
          rows[condition].push({ paths: [path], label: job.label });
        }
      }
    } catch (error) {
      failures.push(`${job.id}: ${(error as Error).message}`);
    }
    progress.update(done + 1, jobs.length, failures.length ? `${failures.length} failed` : "");
  }
  progress.finish();

  if (!values["grid-only"]) {
    for (const condition of conditions) {
      await Deno.writeTextFile(`${out}/${condition}.csv`, formatReferenceCsv(rows[condition]));
    }
  }
  await Deno.writeTextFile(
    `${out}/perturb.json`,
    JSON.stringify(
      {
        seed,
        conditions: CONDITIONS.filter((c) => conditions.includes(c.id)),
        clips: report,
        failures,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(
    `wrote ${report.length} clip(s) to ${out}/ (grids/, ${
      values["grid-only"] ? "" : "<condition>/, <condition>.csv, "
    }perturb.json)` +
      (failures.length ? `; ${failures.length} failed:\n  ${failures.join("\n  ")}` : ""),
  );
  if (failures.length === jobs.length) throw new CliError(`all ${jobs.length} clip(s) failed`);
}

if (import.meta.main) await runCli("perturb", main);
