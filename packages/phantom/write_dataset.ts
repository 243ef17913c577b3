/**
 * Writes a simulated data set to disk in the layouts the rest of the project reads:
 *
 * ```
 * OUT/
 *   Videos/<patient>_<view>_<k>.avi   MJPEG AVI, grey, EchoNet-Dynamic style
 *   FileList.csv                      EchoNet-Dynamic columns, A4C clips only (EF, ESV, EDV, …, Split)
 *   dicom/<patient>/<view>_<k>.dcm    multi-frame ultrasound DICOM, one folder per study (with --dicom)
 *   labels.csv                        every clip with all labels and acquisition settings (header row)
 *   views_{train,val,test}.csv        reference-style "<path> <view index>"
 *   lvef_{train,val,test}.csv         "<path> <EF %>" for A4C clips
 *   rvsp_{train,val,test}.csv         multi-view "<A4C path> <Subcostal path> <RVSP>" (MISS when absent)
 *   pretrain.csv                      "<path> 0" for every training clip
 * ```
 * Manifest paths are relative to OUT (the video package resolves them against the manifest's folder).
 */

import { writeAvi, writeDicom } from "@echojepa/video";
import type { RenderedClip } from "./clip.ts";
import type { ClipSpec, DatasetOptions, Split } from "./dataset.ts";
import { clipOptionsOf, planDataset, renderClipSpec, SPLITS } from "./dataset.ts";
import { deriveSeed, rowMajorData } from "@echojepa/core";
import { VIEW_NAMES } from "./views.ts";
import { PhantomWorkerPool } from "./worker_pool.ts";

/** Options of {@linkcode writeDataset}. */
export interface WriteDatasetOptions extends DatasetOptions {
  /** Output folder (created if missing). */
  out: string;
  /** Write MJPEG AVIs under Videos/ (default true). */
  avi?: boolean;
  /** Write multi-frame DICOM study folders under dicom/ (default false). */
  dicom?: boolean;
  /** JPEG quality of AVI frames and JPEG DICOMs (default 90). */
  jpegQuality?: number;
}

/** What {@linkcode writeDataset} wrote. */
export interface WriteDatasetSummary {
  out: string;
  patients: number;
  clips: number;
  bytes: number;
  seconds: number;
  /** Clips per split. */
  perSplit: Record<Split, number>;
}

interface WrittenClip {
  spec: ClipSpec;
  name: string;
  path: string;
  row: string;
  ef: number;
  rvsp: number;
  viewIndex: number;
  echoNetRow?: string;
}

/** Renders a data set (on workers unless `workers` is 1) and writes it to `out`, streaming clip by clip. */
export async function writeDataset(options: WriteDatasetOptions): Promise<WriteDatasetSummary> {
  const started = performance.now();
  const avi = options.avi ?? true, dicom = options.dicom ?? false;
  if (!avi && !dicom) throw new Error("writeDataset: nothing to write (avi and dicom both off)");
  const out = options.out.replace(/\/+$/, "");
  const specs = planDataset(options);
  const clipOptions = clipOptionsOf(options);
  await Deno.mkdir(`${out}/Videos`, { recursive: true });
  const workers = options.workers ?? navigator.hardwareConcurrency ?? 2;
  const pool = workers > 1 ? new PhantomWorkerPool(Math.min(workers, specs.length)) : null;
  let bytes = 0, done = 0;
  const seed = options.seed ?? 0;

  const writeOne = async (spec: ClipSpec, clip: RenderedClip): Promise<WrittenClip> => {
    const name = `${spec.patientId}_${spec.view}_${spec.clipIndex}`;
    const [t, h, w] = clip.frames.shape, pixels = rowMajorData(clip.frames);
    let path = "";
    if (dicom) {
      const dir = `${out}/dicom/${spec.patientId}`;
      await Deno.mkdir(dir, { recursive: true });
      const side = clip.acquisition.depth / clip.acquisition.zoom;
      const frameList = Array.from(
        { length: t },
        (_, f) => pixels.subarray(f * h * w, (f + 1) * h * w),
      );
      const file = writeDicom(frameList, {
        width: w,
        height: h,
        channels: 1,
        fps: clip.fps,
        transferSyntax: "jpeg-baseline",
        jpegQuality: options.jpegQuality ?? 90,
        spacing: { xCm: side / h, yCm: side / h },
        patientId: spec.patientId,
        studyInstanceUid: deterministicUid(seed, spec.patientIndex, 0),
        sopInstanceUid: deterministicUid(
          seed,
          spec.patientIndex,
          1 + VIEW_NAMES.indexOf(spec.view),
          spec.clipIndex,
        ),
        seriesDescription: spec.view,
      });
      await Deno.writeFile(`${dir}/${spec.view}_${spec.clipIndex}.dcm`, file);
      bytes += file.length;
      path = `dicom/${spec.patientId}/${spec.view}_${spec.clipIndex}.dcm`;
    }
    if (avi) {
      const file = writeAvi(pixels, {
        width: w,
        height: h,
        channels: 1,
        fps: clip.fps,
        quality: options.jpegQuality ?? 90,
      });
      await Deno.writeFile(`${out}/Videos/${name}.avi`, file);
      bytes += file.length;
      path = `Videos/${name}.avi`;
    }
    const l = clip.labels, a = clip.acquisition;
    const row = [
      name,
      path,
      spec.split.toUpperCase(),
      l.patientId,
      l.view,
      l.viewIndex,
      l.ef.toFixed(3),
      l.edv.toFixed(3),
      l.esv.toFixed(3),
      l.heartRate.toFixed(2),
      l.rvsp.toFixed(3),
      l.pediatric ? 1 : 0,
      clip.fps.toFixed(3),
      t,
      h,
      w,
      a.depth.toFixed(2),
      a.sectorDeg.toFixed(1),
      a.frequencyMHz.toFixed(2),
      a.gainDb.toFixed(1),
      a.dynamicRangeDb.toFixed(1),
      a.ui ? 1 : 0,
    ].join(",");
    const echoNetRow = spec.view === "A4C"
      ? [
        name,
        l.ef.toFixed(2),
        l.esv.toFixed(2),
        l.edv.toFixed(2),
        h,
        w,
        clip.fps.toFixed(2),
        t,
        spec.split.toUpperCase(),
      ].join(",")
      : undefined;
    done++;
    options.onProgress?.(done, specs.length);
    return { spec, name, path, row, ef: l.ef, rvsp: l.rvsp, viewIndex: l.viewIndex, echoNetRow };
  };

  let written: WrittenClip[];
  try {
    if (pool) {
      written = await Promise.all(
        specs.map((spec) => pool.renderSpec(spec, clipOptions).then((c) => writeOne(spec, c))),
      );
    } else {
      written = [];
      for (const spec of specs) written.push(await writeOne(spec, renderClipSpec(spec, clipOptions)));
    }
  } finally {
    pool?.close();
  }
  await writeManifests(out, written, avi);
  const perSplit = { train: 0, val: 0, test: 0 } as Record<Split, number>;
  for (const w of written) perSplit[w.spec.split]++;
  return {
    out,
    patients: options.patients,
    clips: written.length,
    bytes,
    seconds: (performance.now() - started) / 1000,
    perSplit,
  };
}

async function writeManifests(out: string, written: WrittenClip[], avi: boolean): Promise<void> {
  const header =
    "FileName,Path,Split,PatientId,View,ViewIndex,EF,EDV,ESV,HeartRate,RVSP,Pediatric,FPS,NumberOfFrames,FrameHeight,FrameWidth,DepthCm,SectorDeg,FrequencyMHz,GainDb,DynamicRangeDb,UI";
  await Deno.writeTextFile(`${out}/labels.csv`, [header, ...written.map((w) => w.row)].join("\n") + "\n");
  if (avi) {
    const echo = written.filter((w) => w.echoNetRow).map((w) => w.echoNetRow);
    await Deno.writeTextFile(
      `${out}/FileList.csv`,
      ["FileName,EF,ESV,EDV,FrameHeight,FrameWidth,FPS,NumberOfFrames,Split", ...echo].join("\n") + "\n",
    );
  }
  const lines = (rows: string[]) => rows.length ? rows.join("\n") + "\n" : "";
  for (const split of SPLITS) {
    const inSplit = written.filter((w) => w.spec.split === split);
    await Deno.writeTextFile(
      `${out}/views_${split}.csv`,
      lines(inSplit.map((w) => `${w.path} ${w.viewIndex}`)),
    );
    await Deno.writeTextFile(
      `${out}/lvef_${split}.csv`,
      lines(inSplit.filter((w) => w.spec.view === "A4C").map((w) => `${w.path} ${w.ef.toFixed(3)}`)),
    );
    // One row per patient: its first A4C and first Subcostal clip.
    const byPatient = new Map<string, { a4c?: string; sub?: string; rvsp: number }>();
    for (const w of inSplit) {
      const e = byPatient.get(w.spec.patientId) ?? { rvsp: w.rvsp };
      if (w.spec.view === "A4C" && !e.a4c) e.a4c = w.path;
      if (w.spec.view === "Subcostal" && !e.sub) e.sub = w.path;
      byPatient.set(w.spec.patientId, e);
    }
    const rvspRows = [...byPatient.values()].filter((e) => e.a4c || e.sub).map((e) =>
      `${e.a4c ?? "MISS"} ${e.sub ?? "MISS"} ${e.rvsp.toFixed(3)}`
    );
    await Deno.writeTextFile(`${out}/rvsp_${split}.csv`, lines(rvspRows));
  }
  await Deno.writeTextFile(
    `${out}/pretrain.csv`,
    lines(written.filter((w) => w.spec.split === "train").map((w) => `${w.path} 0`)),
  );
}

/** A stable DICOM UID ("2.25." + a 128-bit decimal) from seeds, so reruns produce byte-identical files. */
function deterministicUid(...parts: number[]): string {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 32n) | BigInt(deriveSeed(...parts, i, 0xd1c0));
  return `2.25.${v}`;
}
