/**
 * The ffmpeg subprocess adapter: decodes H.264/HEVC/MPEG-4/MPEG-2 (in MP4, AVI or DICOM) to raw grey or RGB
 * frames. The binary is `$FFMPEG_PATH`, else `ffmpeg` on PATH, else the one the npm package
 * `@ffmpeg-installer/linux-x64` puts under node_modules. When none is found the error says how to install one.
 * @module
 */
import { VideoError } from "./errors.ts";
import type { FrameDecoder } from "./video.ts";

/** How to get ffmpeg, quoted in the missing-tool error. */
export const FFMPEG_INSTALL_HINT =
  "install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`, macOS: `brew install ffmpeg`) or set " +
  "FFMPEG_PATH to an ffmpeg binary, and allow the subprocess (--allow-run)";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Finds the ffmpeg binary, or undefined when there is none (always in browsers: they cannot run processes). */
export async function findFfmpeg(): Promise<string | undefined> {
  if (!("Deno" in globalThis)) return undefined;
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("FFMPEG_PATH");
  } catch {
    fromEnv = undefined; // no --allow-env: fall through to PATH
  }
  if (fromEnv) return (await isFile(fromEnv)) ? fromEnv : undefined;
  let pathList = "";
  try {
    pathList = Deno.env.get("PATH") ?? "";
  } catch {
    pathList = "";
  }
  const exe = Deno.build.os === "windows" ? "ffmpeg.exe" : "ffmpeg";
  for (const dir of pathList.split(Deno.build.os === "windows" ? ";" : ":")) {
    if (dir && await isFile(`${dir}/${exe}`)) return `${dir}/${exe}`;
  }
  const bundled = "node_modules/@ffmpeg-installer/linux-x64/ffmpeg";
  return (await isFile(bundled)) ? bundled : undefined;
}

/** Options for {@link decodeWithFfmpeg}. */
export interface FfmpegDecodeOptions {
  /** 1 decodes to grey (`gray`), 3 to RGB (`rgb24`). */
  channels: 1 | 3;
  /** Expected width (frames are scaled to it when the stream differs). */
  width: number;
  /** Expected height. */
  height: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  /** The ffmpeg binary to run; default {@link findFfmpeg}'s choice. */
  binary?: string;
}

/**
 * Decodes a file path or an in-memory stream with ffmpeg to raw frames (`[T, H, W]` or `[T, H, W, 3]`).
 * Throws a {@link VideoError} of kind "missing-tool" when ffmpeg is not installed.
 */
export async function decodeWithFfmpeg(
  input: string | Uint8Array,
  file: string,
  options: FfmpegDecodeOptions,
): Promise<Uint8Array> {
  const binary = options.binary === undefined
    ? await findFfmpeg()
    : (await isFile(options.binary))
    ? options.binary
    : undefined;
  if (!binary) {
    throw new VideoError(
      file,
      "missing-tool",
      `decoding this video needs ffmpeg, which was not found: ${FFMPEG_INSTALL_HINT}`,
    );
  }
  const args = ["-v", "error", "-nostdin", "-i", typeof input === "string" ? input : "pipe:0"];
  if (options.maxFrames !== undefined) args.push("-frames:v", String(options.maxFrames));
  args.push(
    "-vf",
    `scale=${options.width}:${options.height}`,
    "-f",
    "rawvideo",
    "-pix_fmt",
    options.channels === 1 ? "gray" : "rgb24",
    "pipe:1",
  );
  // -nostdin would stop ffmpeg reading the piped input, so drop it when the stream comes on stdin.
  if (typeof input !== "string") args.splice(args.indexOf("-nostdin"), 1);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(binary, {
      args,
      stdin: typeof input === "string" ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new VideoError(
      file,
      "missing-tool",
      `could not start ffmpeg (${binary}): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const writing = typeof input === "string" ? Promise.resolve() : (async () => {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(input);
      await writer.close();
    } catch {
      // ffmpeg may exit early on a broken stream; its exit status reports why.
    }
  })();
  const [output] = await Promise.all([child.output(), writing]);
  if (!output.success) {
    const message = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new VideoError(file, "corrupt", `ffmpeg failed (exit ${output.code}): ${message || "no message"}`);
  }
  return output.stdout;
}

/**
 * A frame decoder backed by ffmpeg. ffmpeg runs on the first request; a batch read first calls `prefetch` with
 * its largest index, so only the frames up to it are decoded (a 16-frame clip from the start of a long cine never
 * decodes the rest). A later request past what was decoded runs ffmpeg again over the whole stream.
 */
export function lazyFfmpegFrames(
  input: string | Uint8Array,
  file: string,
  options: FfmpegDecodeOptions,
): FrameDecoder {
  const frameBytes = options.width * options.height * options.channels;
  let decoded: Promise<Uint8Array> | undefined;
  let complete = false;
  let frames = 0;
  const run = (maxFrames?: number): Promise<Uint8Array> => {
    complete = maxFrames === undefined;
    decoded = decodeWithFfmpeg(input, file, { ...options, maxFrames }).then((all) => {
      frames = Math.floor(all.length / frameBytes);
      return all;
    });
    return decoded;
  };
  const decode = async (index: number): Promise<Uint8Array> => {
    let all = await (decoded ?? run());
    if (index >= frames && !complete) all = await run();
    if (index >= frames) throw new RangeError(`ffmpeg produced only ${frames} frames`);
    return all.subarray(index * frameBytes, (index + 1) * frameBytes);
  };
  return Object.assign(decode, {
    prefetch: async (maxIndex: number): Promise<void> => {
      if (!decoded) {
        await run(maxIndex + 1);
        return;
      }
      await decoded;
      if (!complete && maxIndex >= frames) await run();
    },
  });
}
