/**
 * `deno task info FILE…` — one JSON line per file, like ffprobe: format, codec, frames, size, fps, duration,
 * channels and (DICOM) pixel spacing. A file that cannot be read gives `{"file": …, "error": …}`; the exit status
 * is then 1. Nothing patient-identifying is printed (the DICOM reader never reads those attributes).
 *
 * Usage: deno task info [--frames] FILE_OR_FOLDER…
 *   --frames  also decode every frame, to check the file fully
 *   a folder stands for the videos under it (.dcm/.avi/.mp4/…, and extensionless DICOM files)
 * @module
 */
import { parseArgs } from "node:util";
import { CliError, runCli } from "./lib/cli.ts";
import { openVideo, scanDirectory, VideoError, type VideoInfo } from "@echojepa/video";

/** The ffprobe-like record printed for one file. */
export interface InfoLine {
  file: string;
  format?: string;
  codec?: string;
  frames?: number;
  width?: number;
  height?: number;
  channels?: number;
  fps?: number;
  duration_s?: number;
  spacing_cm?: [number, number];
  variable_frame_times?: boolean;
  error?: string;
  error_kind?: string;
}

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Builds the record for one file (decoding every frame when `decodeFrames` is set). */
export async function infoLine(path: string, decodeFrames: boolean): Promise<InfoLine> {
  try {
    const video = await openVideo(path);
    try {
      if (decodeFrames) { for (let i = 0; i < video.frameCount; i++) await video.readFrame(i); }
    } finally {
      video.close();
    }
    const info: VideoInfo = video;
    const line: InfoLine = {
      file: path,
      format: info.format,
      codec: info.codec,
      frames: info.frameCount,
      width: info.width,
      height: info.height,
      channels: info.channels,
      fps: round(info.fps),
      duration_s: round(info.durationS),
    };
    if (info.spacing) line.spacing_cm = [round(info.spacing.xCm, 6), round(info.spacing.yCm, 6)];
    if (info.frameTimesMs) line.variable_frame_times = true;
    return line;
  } catch (error) {
    if (error instanceof VideoError) return { file: path, error: error.reason, error_kind: error.kind };
    return { file: path, error: error instanceof Error ? error.message : String(error) };
  }
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { frames: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length === 0) {
    const usage =
      "usage: deno task info [--frames] FILE_OR_FOLDER…\n  prints one JSON line per file (ffprobe-like)";
    if (!values.help) throw new CliError(usage, 2);
    console.log(usage);
    return;
  }
  const files: string[] = [];
  for (const arg of positionals) {
    let isDirectory = false;
    try {
      isDirectory = (await Deno.stat(arg)).isDirectory;
    } catch {
      isDirectory = false; // a missing path is reported by infoLine as an io error
    }
    if (isDirectory) files.push(...(await scanDirectory(arg)).map((e) => e.paths[0]!));
    else files.push(arg);
  }
  let failed = 0;
  for (const path of files) {
    const line = await infoLine(path, values.frames);
    if (line.error !== undefined) failed++;
    console.log(JSON.stringify(line));
  }
  if (failed > 0) {
    throw new CliError(`${failed} of ${files.length} file(s) could not be read`);
  }
}

if (import.meta.main) await runCli("info", main);
