/**
 * A pass over an MP4/MOV's box tree before `mp4box` parses it: every sample-table count (stsz, stz2, stts, ctts,
 * stsc, stco, co64, stss, trun) is checked against the bytes its box holds and against `VIDEO_LIMITS.maxFrames`,
 * because the parser builds one object per sample it is told about (a constant-size `stsz` claiming 2³² − 1
 * samples costs gigabytes from a few bytes of file).
 * @module
 */
import { fourCC } from "./bytes.ts";
import { VideoError } from "./errors.ts";
import { VIDEO_LIMITS } from "./limits.ts";

/** Boxes whose bodies are lists of child boxes on the way to the sample tables. */
const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl", "edts", "moof", "traf", "mvex", "dinf"]);

/** Bytes per table entry after the 8-byte (full box header + count) prefix, and whether the entry carries a count. */
const TABLES: Record<string, { entryBytes: number; countField: string; run?: boolean }> = {
  stts: { entryBytes: 8, countField: "stts entry_count", run: true },
  ctts: { entryBytes: 8, countField: "ctts entry_count", run: true },
  stsc: { entryBytes: 12, countField: "stsc entry_count" },
  stco: { entryBytes: 4, countField: "stco entry_count" },
  co64: { entryBytes: 8, countField: "co64 entry_count" },
  stss: { entryBytes: 4, countField: "stss entry_count" },
};

/**
 * Throws a {@link VideoError} ("implausible-metadata" for a table larger than its box, "too-large" for more
 * samples than the limit) before any sample table is expanded. Boxes that do not parse are left to mp4box.
 */
export function checkMp4Tables(bytes: Uint8Array, file: string, maxFrames = VIDEO_LIMITS.maxFrames): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tooMany = (field: string, count: number): never => {
    throw new VideoError(file, "too-large", `${field} ${count} exceeds the limit of ${maxFrames} samples`);
  };
  const walk = (start: number, end: number, depth: number): void => {
    let p = start;
    while (p + 8 <= end) {
      let size = view.getUint32(p);
      const type = fourCC(bytes, p + 4);
      let header = 8;
      if (size === 1) {
        if (p + 16 > end) return;
        size = Number(view.getBigUint64(p + 8));
        header = 16;
      } else if (size === 0) size = end - p;
      if (size < header || p + size > end) return; // malformed or cut short: mp4box reports it
      const body = p + header;
      const bodyBytes = size - header;
      if (CONTAINERS.has(type) && depth < 12) walk(body, p + size, depth + 1);
      else if (type in TABLES && bodyBytes >= 8) {
        const table = TABLES[type];
        const count = view.getUint32(body + 4);
        if (count * table.entryBytes > bodyBytes - 8) {
          throw new VideoError(
            file,
            "implausible-metadata",
            `${table.countField} ${count} needs ${count * table.entryBytes} bytes, the box holds ${
              bodyBytes - 8
            }`,
          );
        }
        if (table.run) {
          // Each entry repeats a value for `sample_count` samples, which the parser expands one by one.
          let samples = 0;
          for (let k = 0; k < count; k++) samples += view.getUint32(body + 8 + k * 8);
          if (samples > maxFrames) tooMany(`${type} sample counts (sum)`, samples);
        }
      } else if (type === "stsz" && bodyBytes >= 12) {
        const sampleSize = view.getUint32(body + 4);
        const count = view.getUint32(body + 8);
        if (count > maxFrames) tooMany("stsz sample_count", count);
        if (sampleSize === 0 && count * 4 > bodyBytes - 12) {
          throw new VideoError(
            file,
            "implausible-metadata",
            `stsz sample_count ${count} needs ${count * 4} bytes, the box holds ${bodyBytes - 12}`,
          );
        }
      } else if (type === "stz2" && bodyBytes >= 12) {
        const count = view.getUint32(body + 8);
        if (count > maxFrames) tooMany("stz2 sample_count", count);
      } else if (type === "trun" && bodyBytes >= 8) {
        const flags = view.getUint32(body) & 0xffffff;
        const count = view.getUint32(body + 4);
        if (count > maxFrames) tooMany("trun sample_count", count);
        // Per-sample fields: duration, size, flags, composition offset (4 bytes each when their flag is set).
        const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
        if (count * perSample > bodyBytes - 8) {
          throw new VideoError(
            file,
            "implausible-metadata",
            `trun sample_count ${count} needs ${count * perSample} bytes, the box holds ${bodyBytes - 8}`,
          );
        }
      }
      p += size;
    }
  };
  walk(0, bytes.length, 0);
}
