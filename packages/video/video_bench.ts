/**
 * Micro-benchmarks of the video package: decode rate of every shared sample, JPEG encoding (this package's
 * encoder vs jpeg-js), sector detection. Prints a Markdown table. Usage: deno run -A packages/video/video_bench.ts
 * @module
 */
import jpeg from "jpeg-js";
import { openVideo } from "./open_video.ts";
import { encodeBaselineJpeg } from "./jpeg_encoder.ts";
import { detectSector, toGrey } from "./sector.ts";
import { SAMPLES_DIR, syntheticFrames } from "./test_util.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(reps: number, run: () => unknown): number {
  run(); // warm up
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const rows: string[] = [];
for (
  const entry of [...Deno.readDirSync(SAMPLES_DIR)].filter((e) => /\.(dcm|avi)$/.test(e.name)).sort((a, b) =>
    a.name < b.name ? -1 : 1
  )
) {
  const video = await openVideo(new URL(entry.name, SAMPLES_DIR).pathname);
  await video.readAll();
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    await video.readAll();
    runs.push(performance.now() - started);
  }
  const ms = median(runs);
  rows.push(
    `| decode ${entry.name} (${video.frameCount}×${video.width}×${video.height}×${video.channels}) | ` +
      `${(ms / video.frameCount).toFixed(2)} ms/frame (${
        ((1000 * video.frameCount) / ms).toFixed(0)
      } frames/s) |`,
  );
}
const grey = syntheticFrames(1, 112, 112, 1)[0];
const rgba = new Uint8Array(112 * 112 * 4).map((_, i) => (i % 4 === 3 ? 255 : grey[i >> 2]));
rows.push(
  `| JPEG encode 112×112 grey, this package | ${
    time(50, () => encodeBaselineJpeg(grey, 112, 112, 1)).toFixed(2)
  } ms |`,
);
rows.push(
  `| JPEG encode 112×112 grey, jpeg-js | ${
    time(50, () => jpeg.encode({ data: rgba, width: 112, height: 112 }, 90)).toFixed(2)
  } ms |`,
);
const a4c = await openVideo(
  new URL("pydicom_examples_ybr_color_a4c_jpegbaseline_30f.dcm", SAMPLES_DIR).pathname,
);
const stack = toGrey(await a4c.readAll());
rows.push(`| sector detection, 30×320×240 cine | ${time(5, () => detectSector(stack)).toFixed(1)} ms |`);
console.log("| operation | result |\n| --- | --- |\n" + rows.join("\n"));
