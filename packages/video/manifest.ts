/**
 * Dataset manifests: the reference's space-separated CSV (`path label`, `path z`, multi-view rows with `MISS`),
 * EchoNet-Dynamic/-Pediatric `FileList.csv` + `Videos/*.avi`, and a plain directory scan; plus deterministic
 * train/val/test splits by patient or study group. Paths are resolved relative to the manifest's folder.
 * @module
 */

/** One row of a manifest: a study's views (null for a missing view), a label, and optional split/group. */
export interface ManifestEntry {
  /** Video paths, one per view; `null` marks a missing view (`MISS` in the reference CSV). */
  paths: (string | null)[];
  /** Class index or regression target (EF, z-score); undefined for unlabeled (pretraining) rows. */
  label?: number;
  /** "train", "val", "test", or a fold name as the source gives it (lower-cased). */
  split?: string;
  /** Patient or study key; rows with the same group always land in the same split. */
  group?: string;
  /** Extra numeric columns the source provides (EchoNet: EF, ESV, EDV, FPS, NumberOfFrames, …). */
  extra?: Record<string, number>;
}

/** Token the reference CSV uses for a missing view. */
export const MISSING_VIEW = "MISS";

function joinPath(base: string | undefined, path: string): string {
  if (!base || path.startsWith("/") || /^[a-z]+:\/\//i.test(path)) return path;
  return `${base.replace(/\/+$/, "")}/${path}`;
}

/** Folder part of a path ("" for a bare file name). */
export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/**
 * Parses the reference's space-separated CSV (no header): `<path…> <label>`. Every token but the last is a view
 * path (`MISS` or an empty token → missing view); the last is the numeric label. `#` starts a comment line.
 */
export function parseReferenceCsv(text: string, baseDir?: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) return;
    const tokens = trimmed.split(/ +/);
    if (tokens.length < 2) {
      throw new SyntaxError(`manifest line ${n + 1}: expected "<path> <label>", got one token`);
    }
    const label = Number(tokens[tokens.length - 1]);
    if (!Number.isFinite(label)) {
      throw new SyntaxError(`manifest line ${n + 1}: label '${tokens[tokens.length - 1]}' is not a number`);
    }
    const paths = tokens.slice(0, -1).map((
      p,
    ) => (p === MISSING_VIEW || p === "" ? null : joinPath(baseDir, p)));
    if (paths.every((p) => p === null)) {
      throw new SyntaxError(`manifest line ${n + 1}: every view is ${MISSING_VIEW}`);
    }
    entries.push({ paths, label });
  });
  return entries;
}

/** Formats entries as the reference's space-separated CSV (unlabeled rows get label 0, as for pretraining). */
export function formatReferenceCsv(entries: readonly ManifestEntry[]): string {
  return entries.map((e) => [...e.paths.map((p) => p ?? MISSING_VIEW), String(e.label ?? 0)].join(" ")).join(
    "\n",
  ) +
    "\n";
}

/** Splits one CSV line, honouring double-quoted fields. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** Parses a CSV with a header row into records keyed by column name. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0].replace(/^\uFEFF/, "").replace(/^#\s*/, ""));
  return lines.slice(1).map((line) => {
    const fields = splitCsvLine(line);
    const record: Record<string, string> = {};
    header.forEach((name, i) => (record[name] = fields[i] ?? ""));
    return record;
  });
}

/** Options for {@link parseEchoNetFileList}. */
export interface EchoNetOptions {
  /** Folder holding the videos (default "Videos" beside FileList.csv, given as `datasetDir`). */
  videosDir: string;
  /** Column used as the label (default "EF"). */
  labelColumn?: string;
}

/**
 * Parses EchoNet-Dynamic's FileList.csv (`FileName,EF,ESV,EDV,FrameHeight,FrameWidth,FPS,NumberOfFrames,Split`);
 * also EchoNet-Pediatric's (FileName with `.avi`, Split = fold 0–9). `.avi` is appended to names without an
 * extension; Split is lower-cased; all numeric columns go to `extra`.
 */
export function parseEchoNetFileList(text: string, options: EchoNetOptions): ManifestEntry[] {
  const records = parseCsvRecords(text);
  const labelColumn = options.labelColumn ?? "EF";
  return records.map((record, n) => {
    const name = record.FileName;
    if (!name) throw new SyntaxError(`FileList.csv row ${n + 2}: no FileName`);
    const file = /\.[a-z0-9]{2,4}$/i.test(name) ? name : `${name}.avi`;
    const extra: Record<string, number> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key === "FileName" || key === "Split" || value === "") continue;
      const number = Number(value);
      if (Number.isFinite(number)) extra[key] = number;
    }
    // EchoNet-Pediatric names are <mrn>-<accession>-<n>: group by patient so folds never share one.
    const stem = name.replace(/\.avi$/i, "");
    const group = /^[^-]+-[^-]+-[^-]+$/.test(stem) ? stem.split("-")[0] : stem;
    const entry: ManifestEntry = { paths: [joinPath(options.videosDir, file)], group };
    if (extra[labelColumn] !== undefined) entry.label = extra[labelColumn];
    if (record.Split) entry.split = record.Split.toLowerCase();
    if (Object.keys(extra).length) entry.extra = extra;
    return entry;
  });
}

/** File extensions a directory scan picks up (a DICOM file may also have none; see {@link scanDirectory}). */
export const VIDEO_EXTENSIONS: readonly string[] = [".dcm", ".dicom", ".avi", ".mp4", ".mov", ".m4v"];

/** Options for {@link scanDirectory}. */
export interface ScanOptions {
  /** Recurse into sub-folders (default true). */
  recursive?: boolean;
  /** Also take files without an extension whose bytes 128–131 are "DICM" (default true; MIMIC style). */
  sniffExtensionless?: boolean;
}

/**
 * Lists the videos under a folder, sorted, one unlabeled entry each; the group is the file's folder relative to
 * `dir` (a study folder in MIMIC-style trees), so splits keep a study's videos together.
 */
export async function scanDirectory(dir: string, options: ScanOptions = {}): Promise<ManifestEntry[]> {
  const recursive = options.recursive ?? true;
  const sniff = options.sniffExtensionless ?? true;
  const found: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    const names: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(folder)) names.push(entry);
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of names) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory && recursive) await visit(path);
      else if (entry.isFile) {
        const lower = entry.name.toLowerCase();
        if (VIDEO_EXTENSIONS.some((ext) => lower.endsWith(ext))) found.push(path);
        else if (sniff && !lower.includes(".") && await hasDicmPrefix(path)) found.push(path);
      }
    }
  };
  const root = dir.replace(/\/+$/, "");
  await visit(root);
  return found.map((path) => ({ paths: [path], group: dirnameOf(path.slice(root.length + 1)) || "." }));
}

async function hasDicmPrefix(path: string): Promise<boolean> {
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path);
    const head = new Uint8Array(132);
    let read = 0;
    while (read < 132) {
      const n = await file.read(head.subarray(read));
      if (n === null) return false;
      read += n;
    }
    return head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
  } catch {
    return false;
  } finally {
    file?.close();
  }
}

/** Split fractions for {@link assignSplits}. */
export interface SplitFractions {
  /** Share of groups in train (default 0.8). */
  train: number;
  /** Share of groups in val (default 0.1); test takes the rest. */
  val: number;
}

/** FNV-1a 32-bit hash of a string (with a final mix), for split assignment that does not depend on row order. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV's top bits barely move when only the last characters differ: finish with murmur3's avalanche.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Gives every entry without a split one of train/val/test by hashing its group (or first path) with a seed:
 * deterministic, independent of row order, and one group never straddles two splits.
 */
export function assignSplits(
  entries: readonly ManifestEntry[],
  fractions: SplitFractions = { train: 0.8, val: 0.1 },
  seed = 0,
): ManifestEntry[] {
  return entries.map((entry) => {
    if (entry.split) return entry;
    const key = entry.group ?? entry.paths.find((p) => p !== null) ?? "";
    const u = fnv1a(`${seed}:${key}`) / 4294967296;
    const split = u < fractions.train ? "train" : u < fractions.train + fractions.val ? "val" : "test";
    return { ...entry, split };
  });
}

/** Loads a manifest from a path: `FileList.csv` (EchoNet), a reference CSV, or a directory to scan. */
export async function loadManifest(path: string): Promise<ManifestEntry[]> {
  const stat = await Deno.stat(path);
  if (stat.isDirectory) {
    // An EchoNet dataset folder has FileList.csv and Videos/.
    try {
      const text = await Deno.readTextFile(`${path.replace(/\/+$/, "")}/FileList.csv`);
      return parseEchoNetFileList(text, { videosDir: `${path.replace(/\/+$/, "")}/Videos` });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return await scanDirectory(path);
  }
  const text = await Deno.readTextFile(path);
  const base = dirnameOf(path) || ".";
  const firstLine = text.split(/\r?\n/, 1)[0].replace(/^\uFEFF/, "");
  if (/^#?\s*FileName\s*,/.test(firstLine)) {
    return parseEchoNetFileList(text, { videosDir: `${base}/Videos` });
  }
  return parseReferenceCsv(text, base);
}
