/**
 * Makes a folder of synthetic echo-like videos for timing `deno task prepare` (not a phantom: a speckled fan with a
 * pulsing dark cavity, static text and an ECG-like sweep, enough to exercise decoding, sector detection and
 * resizing). Usage:
 *
 *   deno run -A packages/video/prepare_bench.ts --out /tmp/echo-bench --count 300 [--format avi|dicom]
 *   deno task prepare /tmp/echo-bench --out /tmp/echo-bench-cache --fps 8
 * @module
 */
import { parseArgs } from "node:util";
import { Random } from "@echojepa/core";
import { writeAvi } from "./avi_writer.ts";
import { writeDicom } from "./dicom_writer.ts";

/** Frames of a synthetic echo-like cine. */
export function echoLikeFrames(frames: number, width: number, height: number, seed: number): Uint8Array[] {
  const random = new Random(seed).source();
  const speckle = Uint8Array.from({ length: width * height }, () => Math.floor(random() * 255));
  const apexX = width / 2;
  const depth = height * 0.9;
  return Array.from({ length: frames }, (_, t) => {
    const frame = new Uint8Array(width * height);
    const beat = 0.5 + 0.5 * Math.sin((2 * Math.PI * t) / 25);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x - apexX;
        const r = Math.hypot(dx, y);
        const inside = y > 4 && r < depth && Math.abs(Math.atan2(dx, y)) < Math.PI / 4;
        if (!inside) continue;
        const cavity = Math.hypot(
          (x - apexX) / (width * (0.12 + 0.04 * beat)),
          (y - height * 0.5) / (height * 0.22),
        );
        const tissue = cavity < 1 ? 0.15 : 0.6;
        const s = speckle[y * width + ((x + t) % width)];
        frame[y * width + x] = Math.min(255, tissue * s * (1 - r / (depth * 1.5)) + 10);
      }
    }
    for (let x = 2; x < 30; x++) frame[3 * width + x] = 220; // static "text"
    const sweep = Math.floor((t * width) / frames);
    frame[(height - 3) * width + sweep] = 255; // ECG sweep dot
    return frame;
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string" },
      count: { type: "string", default: "300" },
      format: { type: "string", default: "avi" },
      frames: { type: "string", default: "64" },
    },
  });
  if (!values.out) throw new Error("--out DIR is required");
  await Deno.mkdir(values.out, { recursive: true });
  const count = Number(values.count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const dicom = values.format === "dicom";
    const [w, h] = dicom ? [320, 240] : [112, 112];
    const frames = echoLikeFrames(Number(values.frames), w, h, i);
    const bytes = dicom
      ? writeDicom(frames, { width: w, height: h, channels: 1, fps: 30, transferSyntax: "jpeg-baseline" })
      : writeAvi(frames, { width: w, height: h, channels: 1, fps: 50 });
    await Deno.writeFile(`${values.out}/video${String(i).padStart(4, "0")}.${dicom ? "dcm" : "avi"}`, bytes);
  }
  console.log(
    `wrote ${count} ${values.format} files in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
