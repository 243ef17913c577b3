/**
 * A saved probe folder, as `deno task probe` writes it and `eval`/`robustness` read it:
 *
 * ```
 * <dir>/probe.safetensors   the selected head's weights, reference key names (pooler.*, linear.* / regressor.*,
 *                           or norm.*, hidden.*, …), with probe.json's content in the metadata
 * <dir>/probe.json          task, classes, target scaler μ/σ, encoder path/key/config, clip settings, grid choice
 * <dir>/metrics.json        validation and test metrics of the selected head
 * ```
 *
 * @module
 */

import { AttentiveProbe, LinearProbe, type ProbeTask, type TargetScaler } from "@echojepa/probe";
import { loadSafetensors, saveSafetensors } from "@echojepa/tensor";
import { stripWrapperPrefixes, type VitConfig } from "@echojepa/vit";
import { CliError } from "./cli.ts";
import { type LoadedEncoder, loadEncoder } from "./encoder.ts";
import type { ForwardProbe } from "./features.ts";
import type { ClipSettings } from "./samples.ts";

/** Format marker of probe.json. */
export const PROBE_FORMAT = "echojepa-ts-probe/1";

/** Probe architectures the tools train. */
export type ProbeKind = "attentive" | "linear" | "mlp";

/** The probe's architecture. */
export interface ProbeArchitecture {
  /** Attentive (reference), linear (mean-pool → LayerNorm → Linear) or MLP. */
  kind: ProbeKind;
  /** Feature width D. */
  dim: number;
  /** Classes, or 1 for regression. */
  outputs: number;
  /** Attentive only: blocks (depth − 1 self-attention + 1 cross-attention). */
  depth: number;
  /** Attentive only: attention heads. */
  heads: number;
}

/** Everything probe.json records. */
export interface ProbeSpec {
  /** Format marker. */
  format: typeof PROBE_FORMAT;
  /** Classification (with its class count) or regression. */
  task: ProbeTask;
  /** Class names in index order, when known (phantom views). */
  classNames: string[] | null;
  /** Architecture of the saved head. */
  probe: ProbeArchitecture;
  /** Features the probe reads: encoder tokens, or one mean vector per segment. */
  pooling: "tokens" | "mean";
  /** Regression: μ, σ of the training targets (predictions are de-normalised with them). */
  scaler: TargetScaler | null;
  /** The frozen encoder. */
  encoder: { path: string; key: string | null; config: VitConfig };
  /** How clips are cut and transformed. */
  clips: ClipSettings;
  /** How the probe was trained and which grid point won. */
  training: Record<string, unknown>;
  /** ISO time of writing. */
  createdAt: string;
}

/** Builds an untrained probe of the given architecture. */
export function buildProbe(arch: ProbeArchitecture, regression: boolean): ForwardProbe {
  const kind = regression ? "regressor" : "classifier";
  if (arch.kind === "attentive") {
    if (arch.dim % arch.heads !== 0) {
      throw new CliError(
        `--heads ${arch.heads}: the encoder's width ${arch.dim} does not divide into ${arch.heads} heads`,
      );
    }
    return new AttentiveProbe({
      dim: arch.dim,
      outputs: arch.outputs,
      kind,
      depth: arch.depth,
      numHeads: arch.heads,
    });
  }
  return new LinearProbe({ dim: arch.dim, outputs: arch.outputs, kind, mlp: arch.kind === "mlp" });
}

/** Writes probe.safetensors and probe.json into `dir`. */
export async function saveProbeDir(dir: string, spec: ProbeSpec, probe: ForwardProbe): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const bytes = await saveSafetensors(probe.stateDict(), { "echojepa.probe": JSON.stringify(spec) });
  await Deno.writeFile(`${dir}/probe.safetensors`, bytes);
  await Deno.writeTextFile(`${dir}/probe.json`, JSON.stringify(spec, null, 2) + "\n");
}

/** Reads probe.json of a probe folder. */
export async function readProbeSpec(dir: string): Promise<ProbeSpec> {
  let spec: ProbeSpec;
  try {
    spec = JSON.parse(await Deno.readTextFile(`${dir}/probe.json`));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(
        `--probe ${dir}: no probe.json there (train a probe with \`deno task probe\` first)`,
      );
    }
    throw new CliError(`--probe ${dir}: cannot read probe.json: ${(e as Error).message}`);
  }
  if (spec.format !== PROBE_FORMAT) {
    throw new CliError(`--probe ${dir}: probe.json has format "${spec.format}", expected "${PROBE_FORMAT}"`);
  }
  return spec;
}

/** A saved probe with its weights loaded. */
export async function loadProbe(dir: string, spec: ProbeSpec): Promise<ForwardProbe> {
  const path = `${dir}/probe.safetensors`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new CliError(`--probe ${dir}: cannot read probe.safetensors: ${(e as Error).message}`);
  }
  const probe = buildProbe(spec.probe, spec.task.type === "regression");
  const loaded = loadSafetensors(bytes);
  try {
    // Reference probes trained with DDP carry "module." prefixes.
    const state = new Map([...loaded].map(([k, t]) => [stripWrapperPrefixes(k), t]));
    probe.loadStateDict(state);
  } catch (e) {
    probe.dispose();
    throw new CliError(
      `--probe ${dir}: probe.safetensors does not match probe.json: ${(e as Error).message}`,
    );
  } finally {
    for (const t of loaded.values()) t.dispose();
  }
  probe.eval();
  return probe;
}

/** A saved probe, its spec, and its frozen encoder, checked to fit together. */
export interface OpenedProbe {
  /** probe.json. */
  spec: ProbeSpec;
  /** The probe, weights loaded. */
  probe: ForwardProbe;
  /** The encoder. */
  encoder: LoadedEncoder;
}

/** Opens a probe folder and its encoder (the recorded one, or `encoderPath` when the file has moved). */
export async function openProbe(
  dir: string,
  { encoderPath, key, config, onNotice }: {
    encoderPath?: string;
    key?: string;
    config?: string;
    onNotice?: (m: string) => void;
  } = {},
): Promise<OpenedProbe> {
  const spec = await readProbeSpec(dir);
  const path = encoderPath ?? spec.encoder.path;
  try {
    await Deno.stat(path);
  } catch {
    throw new CliError(
      `the probe's encoder ${path} does not exist (moved?); pass --encoder with its new location`,
    );
  }
  const encoder = await loadEncoder(path, {
    key: key ?? spec.encoder.key ?? undefined,
    config,
    // Files without a stored architecture were loaded with --config; probe.json kept the resolved one.
    resolvedConfig: spec.encoder.config,
    onNotice,
  });
  if (encoder.config.embedDim !== spec.probe.dim) {
    encoder.encoder.dispose();
    throw new CliError(
      `shape mismatch: the probe in ${dir} reads ${spec.probe.dim}-wide features, the encoder ${path} gives ` +
        `${encoder.config.embedDim}`,
    );
  }
  const probe = await loadProbe(dir, spec);
  return { spec, probe, encoder };
}
