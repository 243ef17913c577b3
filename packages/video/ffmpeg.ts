/**
 * The ffmpeg subprocess adapter: decodes H.264/HEVC/MPEG-4/MPEG-2 (in MP4, AVI or DICOM) to raw grey or RGB
 * frames. The binary is `$FFMPEG_PATH`, else `ffmpeg` on PATH, else the one the npm package
 * `@ffmpeg-installer/linux-x64` puts under node_modules. When none is found the error says how to install one.
 * @module
 */
import { quoteHeaderText, thrownMessage, VideoError } from "./errors.ts";
import { checkVideoHeader, VIDEO_LIMITS } from "./limits.ts";
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
  /**
   * Frames the container says the stream has: ffmpeg is never asked for more (default: as many as the byte budget
   * allows).
   */
  frameCount?: number;
  /** Most bytes of raw output read before ffmpeg is stopped (default `VIDEO_LIMITS.maxDecodedBytes`). */
  maxOutputBytes?: number;
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
  checkVideoHeader(file, {
    width: options.width,
    height: options.height,
    frameCount: options.frameCount ?? 1,
    fps: 1,
    fields: { width: "width", height: "height", frameCount: "frame count", fps: "fps" },
    fileBytes: Infinity,
  });
  const frameBytes = options.width * options.height * options.channels;
  const budget = options.maxOutputBytes ?? VIDEO_LIMITS.maxDecodedBytes;
  // Ask ffmpeg for no more frames than the container has, the caller wants, or the byte budget holds.
  const frames = Math.max(
    1,
    Math.min(options.maxFrames ?? Infinity, options.frameCount ?? Infinity, Math.floor(budget / frameBytes)),
  );
  // -max_pixels stops the decoder itself from allocating for a stream larger than the header admits.
  const args = [
    "-v",
    "error",
    "-nostdin",
    "-max_pixels",
    String(VIDEO_LIMITS.maxSide * VIDEO_LIMITS.maxSide),
  ];
  args.push("-i", typeof input === "string" ? input : "pipe:0", "-frames:v", String(frames));
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
    throw new VideoError(file, "missing-tool", `could not start ffmpeg (${binary}): ${thrownMessage(error)}`);
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
  const limit = frames * frameBytes;
  const [output, stderr, status] = await Promise.all([
    readBounded(child.stdout, limit, () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
    }),
    readBounded(child.stderr, 1 << 16, () => {}),
    child.status,
    writing,
  ]);
  if (output.overflow) {
    // More output than `frames` frames: keep exactly those (ffmpeg was stopped, its exit status does not matter).
    return output.bytes.subarray(0, limit);
  }
  if (!status.success) {
    const lines = new TextDecoder().decode(stderr.bytes).trim().split("\n").slice(-3).join(" | ");
    throw new VideoError(
      file,
      "corrupt",
      `ffmpeg failed (exit ${status.code}): ${lines ? quoteHeaderText(lines, 240) : "no message"}`,
    );
  }
  return output.bytes;
}

/** Reads a stream into memory up to `limit` bytes; past it, calls `stop` and drains nothing more. */
async function readBounded(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  stop: () => void,
): Promise<{ bytes: Uint8Array; overflow: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let overflow = false;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - total;
      if (value.length > room) {
        if (room > 0) chunks.push(value.subarray(0, room));
        total = limit;
        overflow = true;
        stop();
        await reader.cancel().catch(() => {});
        break;
      }
      chunks.push(value);
      total += value.length;
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, overflow };
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
