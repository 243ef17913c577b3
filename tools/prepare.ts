/**
 * `deno task prepare MANIFEST --out DIR` — decodes every video of a manifest once into a clip cache (fixed-size
 * uint8 clips in binary shards + index.json) so training reads clips without decoding. Shows progress, resumes an
 * interrupted build in the same folder, and lists skipped files with reasons in the index.
 *
 * MANIFEST: a reference CSV (`path label`), an EchoNet FileList.csv / dataset folder, or any folder to scan.
 * @module
 */
import { parseArgs } from "node:util";
import { assignSplits, countSkips, loadManifest, prepareClipCache } from "@echojepa/video";
import { CliError, ensureWritableDir, progressBar, runCli } from "./lib/cli.ts";

const USAGE = `usage: deno task prepare MANIFEST --out DIR [options]
  --out DIR           cache folder (created; an existing compatible cache there is resumed)
  --frames N          frames per clip (default 16)
  --size N            side of the square clip frames (default 112)
  --fps F             clip rate with the reference's step ceil(fps)//F (default: every frame)
  --clips N           clips per video (default 1)
  --channels 1|3      grey or RGB (default 1)
  --no-mask           keep pixels outside the ultrasound sector
  --shard-size N      clips per shard file (default 256)
  --seed N            seed for clip positions (default 0)
  --workers N         decoding threads (default: CPU cores, at most 8; the cache is the same for any N)
  --split NAME        only entries of this split (train/val/test)
  --assign-splits T,V give entries without a split train/val/test by hashing their patient/study group
                      (fractions T and V, test gets the rest; e.g. 0.8,0.1), before --split filters`;

if (import.meta.main) {
  await runCli("prepare", async (argv) => {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        out: { type: "string" },
        frames: { type: "string", default: "16" },
        size: { type: "string", default: "112" },
        fps: { type: "string" },
        clips: { type: "string", default: "1" },
        channels: { type: "string", default: "1" },
        "no-mask": { type: "boolean", default: false },
        "shard-size": { type: "string", default: "256" },
        seed: { type: "string", default: "0" },
        workers: { type: "string", default: String(Math.min(8, navigator.hardwareConcurrency || 1)) },
        split: { type: "string" },
        "assign-splits": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
    if (values.help) return console.log(USAGE);
    if (positionals.length !== 1 || !values.out) {
      throw new CliError("give one MANIFEST and --out DIR (see --help)");
    }
    const integer = (name: string, text: string): number => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 1) {
        throw new CliError(`--${name} must be a positive integer, got '${text}'`);
      }
      return value;
    };
    const channels = integer("channels", values.channels);
    if (channels !== 1 && channels !== 3) {
      throw new CliError("--channels must be 1 or 3");
    }
    const targetFps = values.fps === undefined ? undefined : Number(values.fps);
    if (targetFps !== undefined && !(targetFps > 0)) {
      throw new CliError(`--fps must be positive, got '${values.fps}'`);
    }
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) {
      throw new CliError(`--seed must be a non-negative integer, got '${values.seed}'`);
    }
    await ensureWritableDir("out", values.out); // before decoding anything
    let entries;
    try {
      entries = await loadManifest(positionals[0]);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new CliError(`manifest ${positionals[0]} does not exist`);
      throw e;
    }
    if (values["assign-splits"]) {
      const [train, val] = values["assign-splits"].split(",").map(Number);
      if (!(train >= 0 && val >= 0 && train + val <= 1)) {
        throw new CliError(
          `--assign-splits wants two fractions summing to at most 1, got '${values["assign-splits"]}'`,
        );
      }
      entries = assignSplits(entries, { train, val }, seed);
    }
    if (values.split) entries = entries.filter((e) => e.split === values.split);
    console.error(`prepare: ${entries.length} manifest entries from ${positionals[0]} → ${values.out}`);
    const bar = progressBar("prepare");
    const summary = await prepareClipCache(entries, values.out, {
      framesPerClip: integer("frames", values.frames),
      size: integer("size", values.size),
      channels: channels as 1 | 3,
      targetFps,
      clipsPerVideo: integer("clips", values.clips),
      maskSector: !values["no-mask"],
      shardSize: integer("shard-size", values["shard-size"]),
      seed,
      workers: integer("workers", values.workers),
      onProgress: (p) => bar.update(p.done, p.total, `${p.clips} clips, ${p.skipped} skipped`),
    });
    bar.finish();
    const index = JSON.parse(await Deno.readTextFile(`${values.out}/index.json`));
    console.log(JSON.stringify({
      clips: summary.clips,
      new_clips: summary.newClips,
      resumed_sources: summary.resumed,
      skipped: summary.skipped,
      skipped_by_kind: countSkips(index.skipped),
      seconds: Math.round(summary.seconds * 100) / 100,
      clips_per_s: Math.round(summary.clipsPerSecond * 100) / 100,
    }));
    if (summary.skipped > 0) console.error(`see ${values.out}/index.json "skipped" for the reasons`);
  });
}
