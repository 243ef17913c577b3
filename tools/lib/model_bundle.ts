/**
 * A model bundle: one safetensors file that holds a frozen encoder, its view probe and its EF probe, with the clip
 * settings they were trained with, so that a user (or the browser page) needs nothing else to make predictions.
 * `deno task demo` writes one into its run folder (`model.safetensors`).
 *
 * ```
 * encoder.*       the encoder's weights (reference names)
 * view.*, ef.*    the heads' weights (reference probe names)
 * __metadata__    "echojepa.model": {format, encoder: VitConfig, clips: ClipSettings, heads: {view?, ef?}}
 * ```
 *
 * The same loaders also take an encoder and probes as separate files: an encoder written by `saveVit` (its
 * architecture in the metadata) and probe files written by `deno task probe` (probe.json in the metadata).
 * Nothing here touches the file system.
 *
 * @module
 */

import {
  loadSafetensors,
  type Module,
  parseSafetensorsHeader,
  saveSafetensors,
  type Tensor,
} from "@echojepa/tensor";
import type { ClipSettings } from "@echojepa/video";
import {
  CONFIG_METADATA_KEY,
  loadVitWeights,
  stripWrapperPrefixes,
  VisionTransformer,
  type VitConfig,
  vitConfig,
} from "@echojepa/vit";
import { CliError } from "./cli.ts";
import type { ForwardProbe } from "./features.ts";
import { buildProbe, PROBE_FORMAT, type ProbeSpec } from "./probe_spec.ts";

/** Format marker of a model bundle's metadata. */
export const MODEL_FORMAT = "echojepa-ts-model/1";
/** Metadata key of a model bundle. */
export const MODEL_METADATA_KEY = "echojepa.model";
/** Metadata key under which `deno task probe` stores probe.json in probe.safetensors. */
export const PROBE_METADATA_KEY = "echojepa.probe";

/** What a head needs besides its weights: the parts of probe.json that describe the head itself. */
export type HeadSpec = Pick<
  ProbeSpec,
  "task" | "classNames" | "probe" | "pooling" | "scaler" | "standardization" | "timePooling"
>;

/** The heads a bundle may hold: view classification and ejection fraction. */
export type HeadName = "view" | "ef";

/** A model bundle's metadata. */
export interface ModelBundleSpec {
  /** Format marker. */
  format: typeof MODEL_FORMAT;
  /** The encoder's architecture. */
  encoder: VitConfig;
  /** How clips are cut and transformed for every head. */
  clips: ClipSettings;
  /** The heads, by name. */
  heads: Partial<Record<HeadName, HeadSpec>>;
  /** Free-form provenance (which run, which backbone). */
  source?: Record<string, unknown>;
}

/** A head with its weights loaded. */
export interface LoadedHead {
  /** What it predicts and how to decode its outputs. */
  spec: HeadSpec;
  /** The probe, in evaluation mode. */
  probe: ForwardProbe;
}

/** An encoder and its heads, ready to predict. */
export interface LoadedModel {
  /** The bundle's (or the probe files') settings. */
  spec: ModelBundleSpec;
  /** The frozen encoder, in evaluation mode. */
  encoder: VisionTransformer;
  /** The heads, by name. */
  heads: Partial<Record<HeadName, LoadedHead>>;
}

/** Releases the GPU memory of a loaded model. */
export function disposeModel(model: LoadedModel): void {
  model.encoder.dispose();
  for (const h of Object.values(model.heads)) h?.probe.dispose();
}

/** Serialises an encoder and heads as one model bundle. */
export function writeModelBundle(
  encoder: VisionTransformer,
  clips: ClipSettings,
  heads: Partial<Record<HeadName, { spec: HeadSpec; probe: Module }>>,
  source?: Record<string, unknown>,
): Promise<Uint8Array> {
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of encoder.stateDict()) tensors.set(`encoder.${k}`, t);
  const specs: ModelBundleSpec["heads"] = {};
  for (const [name, head] of Object.entries(heads) as [HeadName, { spec: HeadSpec; probe: Module }][]) {
    specs[name] = head.spec;
    for (const [k, t] of head.probe.stateDict()) tensors.set(`${name}.${k}`, t);
  }
  const spec: ModelBundleSpec = {
    format: MODEL_FORMAT,
    encoder: encoder.config,
    clips,
    heads: specs,
    source,
  };
  return saveSafetensors(tensors, { [MODEL_METADATA_KEY]: JSON.stringify(spec) });
}

/** The kind of weights file: a model bundle, an encoder (`saveVit`), a probe (`deno task probe`), or unknown. */
export function weightsKind(bytes: Uint8Array): "bundle" | "encoder" | "probe" | "unknown" {
  const { metadata } = parseSafetensorsHeader(bytes);
  if (metadata[MODEL_METADATA_KEY]) return "bundle";
  if (metadata[PROBE_METADATA_KEY]) return "probe";
  if (metadata[CONFIG_METADATA_KEY]) return "encoder";
  return "unknown";
}

function frozenEncoder(
  config: VitConfig,
  bytes: Uint8Array,
  select: string,
  source: string,
): VisionTransformer {
  const encoder = new VisionTransformer(vitConfig(config));
  try {
    loadVitWeights(encoder, bytes, { select, source });
  } catch (e) {
    encoder.dispose();
    throw new CliError(`${source}: ${(e as Error).message}`);
  }
  encoder.eval();
  for (const p of encoder.parameters()) p.requiresGrad = false;
  return encoder;
}

function loadHead(spec: HeadSpec, weights: Map<string, Tensor>, prefix: string, source: string): LoadedHead {
  const probe = buildProbe(spec.probe, spec.task.type === "regression", spec.timePooling);
  const state = new Map<string, Tensor>();
  for (const [k, t] of weights) {
    const name = stripWrapperPrefixes(k);
    if (name.startsWith(prefix)) state.set(name.slice(prefix.length), t);
  }
  try {
    probe.loadStateDict(state);
  } catch (e) {
    probe.dispose();
    throw new CliError(`${source}: the head's weights do not match its description: ${(e as Error).message}`);
  }
  probe.eval();
  return { spec, probe };
}

/** Opens a model bundle written by {@link writeModelBundle}. */
export function openModelBundle(bytes: Uint8Array, source = "model bundle"): LoadedModel {
  const raw = parseSafetensorsHeader(bytes).metadata[MODEL_METADATA_KEY];
  if (!raw) throw new CliError(`${source} is not a model bundle (no "${MODEL_METADATA_KEY}" metadata)`);
  const spec = JSON.parse(raw) as ModelBundleSpec;
  if (spec.format !== MODEL_FORMAT) {
    throw new CliError(`${source} has format "${spec.format}", expected "${MODEL_FORMAT}"`);
  }
  const encoder = frozenEncoder(spec.encoder, bytes, "encoder.", source);
  const heads: LoadedModel["heads"] = {};
  const weights = loadSafetensors(bytes);
  try {
    for (const [name, head] of Object.entries(spec.heads) as [HeadName, HeadSpec][]) {
      heads[name] = loadHead(head, weights, `${name}.`, `${source} (${name})`);
    }
  } catch (e) {
    encoder.dispose();
    for (const h of Object.values(heads)) h?.probe.dispose();
    throw e;
  } finally {
    for (const t of weights.values()) t.dispose();
  }
  return { spec, encoder, heads };
}

/**
 * Opens an encoder file (written by `saveVit`) and probe files (written by `deno task probe`) as one model: a
 * classification probe becomes the view head, a regression probe the EF head. The probes must agree on how clips
 * are cut, and read features of the encoder's width.
 */
export function openEncoderAndProbes(
  encoderBytes: Uint8Array,
  probeFiles: { bytes: Uint8Array; name: string }[],
  encoderName = "encoder",
): LoadedModel {
  const stored = parseSafetensorsHeader(encoderBytes).metadata[CONFIG_METADATA_KEY];
  if (!stored) {
    throw new CliError(`${encoderName} does not record its architecture ("${CONFIG_METADATA_KEY}" metadata)`);
  }
  const config = vitConfig(JSON.parse(stored) as VitConfig);
  const specs: { name: HeadName; spec: ProbeSpec; file: { bytes: Uint8Array; name: string } }[] = [];
  for (const file of probeFiles) {
    const raw = parseSafetensorsHeader(file.bytes).metadata[PROBE_METADATA_KEY];
    if (!raw) throw new CliError(`${file.name} is not a probe written by \`deno task probe\``);
    const spec = JSON.parse(raw) as ProbeSpec;
    if (spec.format !== PROBE_FORMAT) {
      throw new CliError(`${file.name} has format "${spec.format}", expected "${PROBE_FORMAT}"`);
    }
    if (spec.probe.dim !== config.embedDim) {
      throw new CliError(
        `${file.name} reads ${spec.probe.dim}-wide features; ${encoderName} gives ${config.embedDim}`,
      );
    }
    const name: HeadName = spec.task.type === "classification" ? "view" : "ef";
    if (specs.some((s) => s.name === name)) throw new CliError(`two ${name} probes given; pick one`);
    if (specs.length > 0 && JSON.stringify(specs[0].spec.clips) !== JSON.stringify(spec.clips)) {
      throw new CliError(`${specs[0].file.name} and ${file.name} cut clips differently; probes must agree`);
    }
    specs.push({ name, spec, file });
  }
  if (specs.length === 0) throw new CliError("no probe given: pick a view or an EF probe with the encoder");
  const encoder = frozenEncoder(config, encoderBytes, "", encoderName);
  const heads: LoadedModel["heads"] = {};
  try {
    for (const { name, spec, file } of specs) {
      const weights = loadSafetensors(file.bytes);
      try {
        heads[name] = loadHead(spec, weights, "", file.name);
      } finally {
        for (const t of weights.values()) t.dispose();
      }
    }
  } catch (e) {
    encoder.dispose();
    for (const h of Object.values(heads)) h?.probe.dispose();
    throw e;
  }
  return {
    spec: {
      format: MODEL_FORMAT,
      encoder: config,
      clips: specs[0].spec.clips,
      heads: Object.fromEntries(specs.map((s) => [s.name, s.spec])),
    },
    encoder,
    heads,
  };
}
