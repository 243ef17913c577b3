/**
 * Reads a demo run folder: `results.json` (a {@link DemoResults} that the demo's stages fill progressively) and the
 * side files it names (pooled test-clip embeddings per backbone, example clips under each perturbation). Anything
 * missing is tolerated and recorded, so a report can be built from a run that is still going or stopped early.
 *
 * @module
 */

import { join } from "node:path";
import type { AttentionMaps, Backbone, DemoResults } from "../demo/results.ts";
import { BACKBONES } from "../demo/results.ts";

/** Pooled test-clip embeddings of one backbone (`embeddings-<backbone>.json`). */
export interface EmbeddingSet {
  /** One feature vector per clip. */
  features: number[][];
  /** The view label of each clip. */
  views: string[];
}

/** Example clip frames (grey 0–255, `t × h × w` row-major) clean and under each perturbation (`examples.json`). */
export interface ExampleClips {
  clip: { frames: number[]; t: number; h: number; w: number };
  conditions: { name: string; frames: number[] }[];
}

/** The results with every per-backbone section present (empty when the demo has not written it yet). */
export type RunResults =
  & Partial<
    Pick<
      DemoResults,
      "preset" | "seed" | "updatedAt" | "adapter" | "data" | "encoder" | "probes" | "verdicts"
    >
  >
  & Pick<
    DemoResults,
    | "stageSeconds"
    | "pretraining"
    | "viewClassification"
    | "ef"
    | "rvsp"
    | "pediatric"
    | "robustness"
    | "files"
  >;

/** A run folder's contents as the report sees them. */
export interface RunData {
  /** The run folder. */
  dir: string;
  results: RunResults;
  embeddings: Partial<Record<Backbone, EmbeddingSet>>;
  examples?: ExampleClips;
  /** Attention maps of each backbone's view probe. */
  attention: Partial<Record<Backbone, AttentionMaps>>;
  /** Side files that were named but could not be read, with the reason. */
  problems: string[];
}

/** Fills the sections a partial results object lacks with empty ones. */
export function normalizeResults(raw: Partial<DemoResults>): RunResults {
  return {
    ...raw,
    stageSeconds: raw.stageSeconds ?? {},
    pretraining: raw.pretraining ?? {},
    viewClassification: raw.viewClassification ?? {},
    ef: raw.ef ?? {},
    rvsp: raw.rvsp ?? {},
    pediatric: raw.pediatric ?? {},
    robustness: raw.robustness ?? {},
    files: {
      embeddings: raw.files?.embeddings ?? {},
      examples: raw.files?.examples,
      attention: raw.files?.attention ?? {},
    },
  };
}

function checkEmbeddings(value: unknown, path: string): EmbeddingSet {
  const set = value as EmbeddingSet;
  if (
    !Array.isArray(set?.features) || !Array.isArray(set?.views) || set.features.length !== set.views.length
  ) {
    throw new Error(`${path}: expected { features: number[][], views: string[] } of equal length`);
  }
  return set;
}

function checkExamples(value: unknown, path: string): ExampleClips {
  const ex = value as ExampleClips;
  const clip = ex?.clip;
  if (!clip || !Array.isArray(clip.frames) || clip.frames.length !== clip.t * clip.h * clip.w) {
    throw new Error(`${path}: clip.frames must hold t × h × w values`);
  }
  for (const c of ex.conditions ?? []) {
    if (!Array.isArray(c.frames) || c.frames.length !== clip.frames.length) {
      throw new Error(
        `${path}: condition "${c.name}" has ${c.frames?.length} values, expected ${clip.frames.length}`,
      );
    }
  }
  return { clip, conditions: ex.conditions ?? [] };
}

function checkAttention(value: unknown, path: string): AttentionMaps {
  const m = value as AttentionMaps;
  const tokens = Array.isArray(m?.grid) && m.grid.length === 3 ? m.grid[0] * m.grid[1] * m.grid[2] : -1;
  if (tokens <= 0 || !Array.isArray(m.clips)) {
    throw new Error(`${path}: expected { grid: [T, H, W], clips: [...] }`);
  }
  for (const c of m.clips) {
    if (!Array.isArray(c.weights) || c.weights.length !== tokens) {
      throw new Error(`${path}: clip ${c.id} has ${c.weights?.length} weights, expected ${tokens}`);
    }
    if (!Array.isArray(c.frames) || c.frames.length !== c.t * c.h * c.w) {
      throw new Error(`${path}: clip ${c.id}: frames must hold t × h × w values`);
    }
  }
  return m;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Reads `<dir>/results.json` and its side files; throws only when results.json itself is absent or malformed. */
export async function loadRun(dir: string): Promise<RunData> {
  const resultsPath = join(dir, "results.json");
  let raw: Partial<DemoResults>;
  try {
    raw = await readJson(resultsPath) as Partial<DemoResults>;
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "not found" : String(error);
    throw new Error(`report: cannot read ${resultsPath}: ${reason} (run the demo first, or pass --run DIR)`);
  }
  const results = normalizeResults(raw);
  const problems: string[] = [];
  /** Reads and checks one side file; a failure is recorded in `problems`, not thrown. */
  async function side<T>(file: string | undefined, check: (value: unknown, path: string) => T) {
    if (!file) return undefined;
    const path = join(dir, file);
    try {
      return check(await readJson(path), path);
    } catch (error) {
      problems.push(`${path}: ${error instanceof Error ? error.message : error}`);
    }
  }
  async function perBackbone<T>(
    files: Partial<Record<Backbone, string>> | undefined,
    check: (value: unknown, path: string) => T,
  ): Promise<Partial<Record<Backbone, T>>> {
    const out: Partial<Record<Backbone, T>> = {};
    for (const backbone of BACKBONES) {
      const value = await side(files?.[backbone], check);
      if (value !== undefined) out[backbone] = value;
    }
    return out;
  }
  const embeddings = await perBackbone(results.files.embeddings, checkEmbeddings);
  const examples = await side(results.files.examples, checkExamples);
  const attention = await perBackbone(results.files.attention, checkAttention);
  return { dir, results, embeddings, examples, attention, problems };
}
