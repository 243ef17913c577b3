/**
 * The one check every weights loader runs before it builds anything: the configuration (from a file's metadata or
 * given by the caller) is bounded field by field and compared with the tensor shapes the file holds. A 45 KB file
 * whose metadata says depth 10⁶ or width 10⁹ is refused in microseconds instead of allocating gigabytes.
 *
 * Loaders call {@link checkVitWeights} with the configuration text or object and the name → shape map of the file's
 * tensors (safetensors: from the parsed header; a PyTorch `.pt` reader: from its tensor records), before reading
 * any tensor data or constructing a model.
 * @module
 */

import { parameterShapes, type VitConfig, vitConfig } from "./config.ts";
import { isHuggingFaceState } from "./hf_names.ts";
import { EchoJepaError } from "@echojepa/core";

/** What was wrong with a weights file's configuration. */
export type WeightsErrorKind = "implausible-metadata" | "too-large" | "mismatch";

/** A weights file whose configuration is unreadable, out of bounds, or does not fit its tensors. */
export class WeightsError extends EchoJepaError {
  /** Coarse category. */
  readonly kind: WeightsErrorKind;
  /** The file (path or label). */
  readonly source: string;
  /** Creates the error about `source`. */
  constructor(source: string, kind: WeightsErrorKind, reason: string) {
    super(`${source}: ${reason}`);
    this.name = "WeightsError";
    this.kind = kind;
    this.source = source;
  }
}

/** Upper bounds of each size field (the largest released models: ViT-g is 1408 × 40, MLP 6144). */
export const VIT_CONFIG_BOUNDS: Readonly<Record<string, number>> = Object.freeze({
  embedDim: 8192,
  depth: 128,
  numHeads: 256,
  mlpHidden: 65536,
  tubeletSize: 16,
  patchSize: 64,
  inChannels: 16,
  numFrames: 1024,
  imageSize: 4096,
});

const BOOLEAN_FIELDS = ["qkvBias", "uniformPower"] as const;

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40
    ? `${text.slice(0, 40).replace(/[^\x20-\x7e]/g, "?")}…`
    : text.replace(/[^\x20-\x7e]/g, "?");
}

/** Removes a leading `select` prefix and any `module.`/`backbone.` wrappers, as the loaders do. */
function stripName(key: string, select: string): string | undefined {
  if (!key.startsWith(select)) return undefined;
  let n = key.slice(select.length);
  for (;;) {
    if (n.startsWith("module.")) n = n.slice(7);
    else if (n.startsWith("backbone.")) n = n.slice(9);
    else return n;
  }
}

/** Options of {@link checkVitWeights}. */
export interface CheckVitWeightsOptions {
  /** The file, for messages. */
  source?: string;
  /** Only keys with this prefix are the encoder's (as in `loadVitWeights`). */
  select?: string;
}

/**
 * Parses (when text), bounds and checks a ViT configuration against the tensor shapes of a weights file, and
 * returns the full configuration. Throws a {@link WeightsError}: "implausible-metadata" for text that is not a
 * JSON object or a field of the wrong type, "too-large" for a size above {@link VIT_CONFIG_BOUNDS}, "mismatch"
 * when the tensors the configuration implies are not the ones in the file (first differing names and shapes).
 */
export function checkVitWeights(
  config: string | Partial<VitConfig>,
  shapes: ReadonlyMap<string, readonly number[]>,
  { source = "weights file", select = "" }: CheckVitWeightsOptions = {},
): VitConfig {
  let raw: unknown = config;
  if (typeof config === "string") {
    try {
      raw = JSON.parse(config);
    } catch (e) {
      throw new WeightsError(
        source,
        "implausible-metadata",
        `configuration is not JSON (${(e as Error).message})`,
      );
    }
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new WeightsError(source, "implausible-metadata", "configuration is not a JSON object");
  }
  const fields = raw as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const [field, bound] of Object.entries(VIT_CONFIG_BOUNDS)) {
    if (!Object.hasOwn(fields, field)) continue;
    const v = fields[field];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new WeightsError(source, "implausible-metadata", `${field} ${show(v)} is not a positive integer`);
    }
    if (v > bound) {
      throw new WeightsError(source, "too-large", `${field} ${show(v)} exceeds the bound ${bound}`);
    }
    picked[field] = v;
  }
  for (const field of BOOLEAN_FIELDS) {
    if (!Object.hasOwn(fields, field)) continue;
    if (typeof fields[field] !== "boolean") {
      throw new WeightsError(
        source,
        "implausible-metadata",
        `${field} ${show(fields[field])} is not a boolean`,
      );
    }
    picked[field] = fields[field];
  }
  if (Object.hasOwn(fields, "layerNormEps")) {
    const eps = fields.layerNormEps;
    if (typeof eps !== "number" || !(eps > 0 && eps < 1)) {
      throw new WeightsError(source, "implausible-metadata", `layerNormEps ${show(eps)} is not in (0, 1)`);
    }
    picked.layerNormEps = eps;
  }
  if (Object.hasOwn(fields, "positionEncoding")) picked.positionEncoding = fields.positionEncoding;
  for (const required of ["embedDim", "depth", "numHeads"]) {
    if (picked[required] === undefined) {
      throw new WeightsError(source, "implausible-metadata", `configuration has no ${required}`);
    }
  }
  let c: VitConfig;
  try {
    c = vitConfig(picked as Partial<VitConfig> & Pick<VitConfig, "embedDim" | "depth" | "numHeads">);
  } catch (e) {
    throw new WeightsError(source, "implausible-metadata", (e as Error).message);
  }
  // The configuration's tensors against the file's, by name where the names are the reference's; by total
  // element count where they are Hugging Face's (its q/k/v split changes names and shapes, not the count).
  const file = new Map<string, readonly number[]>();
  for (const [key, shape] of shapes) {
    const name = stripName(key, select);
    if (name !== undefined) file.set(name, shape);
  }
  const expected = parameterShapes(c);
  if (c.positionEncoding === "rope") file.delete("pos_embed");
  if (isHuggingFaceState(file.keys())) {
    const count = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
    const want = [...expected].filter(([n]) => n !== "pos_embed").reduce((n, [, s]) => n + count(s), 0);
    let have = 0;
    for (const [name, shape] of file) {
      if (/(^|\.)encoder\.(layer|embeddings\.patch|layernorm)/.test(name)) have += count(shape);
    }
    if (have !== want) {
      throw new WeightsError(
        source,
        "mismatch",
        `configuration D=${c.embedDim} depth ${c.depth} implies ${want} encoder values, the file holds ${have}`,
      );
    }
    return c;
  }
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const got = file.get(name);
    if (!got) problems.push(`${name} missing`);
    else if (got.join() !== shape.join()) {
      problems.push(`${name} is [${got}], the configuration implies [${shape}]`);
    }
    if (problems.length >= 4) break;
  }
  if (problems.length > 0) {
    throw new WeightsError(
      source,
      "mismatch",
      `configuration D=${c.embedDim} depth ${c.depth} does not fit the tensors: ${problems.join("; ")}`,
    );
  }
  return c;
}
