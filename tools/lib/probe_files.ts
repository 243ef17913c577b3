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

import { loadSafetensors, saveSafetensors } from "@echojepa/tensor";
import { stripWrapperPrefixes } from "@echojepa/vit";
import { CliError } from "./cli.ts";
import { type LoadedEncoder, loadEncoder } from "./encoder.ts";
import type { ForwardProbe } from "./features.ts";
import { buildProbe, PROBE_FORMAT, type ProbeSpec } from "./probe_spec.ts";
import { loadReferenceProbe, REFERENCE_LVEF_CLIPS } from "./reference_probe.ts";
import type { ReferenceProbeArgs } from "./saved_probe_args.ts";

export {
  buildProbe,
  PROBE_FORMAT,
  type ProbeArchitecture,
  type ProbeKind,
  type ProbeSpec,
} from "./probe_spec.ts";

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
  const probe = buildProbe(spec.probe, spec.task.type === "regression", spec.timePooling);
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

/**
 * Opens a probe folder and its encoder (the recorded one, or `encoderPath` when the file has moved), or a
 * reference probe file (`.pt`/safetensors, told by being a file) with the encoder given by `encoderPath`.
 */
export async function openProbe(
  dir: string,
  { encoderPath, key, config, onNotice, reference }: {
    encoderPath?: string;
    key?: string;
    config?: string;
    onNotice?: (m: string) => void;
    reference?: ReferenceProbeArgs;
  } = {},
): Promise<OpenedProbe> {
  let isFile = false;
  try {
    isFile = (await Deno.stat(dir)).isFile;
  } catch {
    // A missing folder is reported by readProbeSpec.
  }
  if (isFile) return await openReferenceProbe(dir, encoderPath, reference, onNotice);
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

async function openReferenceProbe(
  path: string,
  encoderPath: string | undefined,
  reference: ReferenceProbeArgs | undefined,
  onNotice?: (m: string) => void,
): Promise<OpenedProbe> {
  if (!encoderPath) {
    throw new CliError(
      `--probe ${path} is a probe file: pass --encoder (and --config when it has no architecture)`,
    );
  }
  const r = reference ?? { scaler: null, clips: REFERENCE_LVEF_CLIPS };
  const loaded = loadReferenceProbe(path, { head: r.head, attentionHeads: r.attentionHeads });
  onNotice?.(
    `probe ${path}: head ${loaded.head.index} of ${loaded.head.of} (${loaded.head.reason}), depth ${loaded.depth}, ` +
      `${loaded.task.type}`,
  );
  if (loaded.task.type === "regression" && !r.scaler) {
    onNotice?.("probe: no --target-mean/--target-std given, so predictions are the probe's z-scores");
  }
  let encoder: LoadedEncoder;
  try {
    encoder = await loadEncoder(encoderPath, { key: r.key, config: r.config, onNotice });
  } catch (e) {
    loaded.probe.dispose();
    throw e;
  }
  if (encoder.config.embedDim !== loaded.dim) {
    encoder.encoder.dispose();
    loaded.probe.dispose();
    throw new CliError(
      `shape mismatch: the probe ${path} reads ${loaded.dim}-wide features, the encoder ${encoderPath} gives ` +
        `${encoder.config.embedDim}`,
    );
  }
  const spec: ProbeSpec = {
    format: PROBE_FORMAT,
    task: loaded.task,
    classNames: null,
    probe: {
      kind: "attentive",
      dim: loaded.dim,
      outputs: loaded.task.type === "classification" ? loaded.task.numClasses : 1,
      depth: loaded.depth,
      heads: r.attentionHeads ?? 16,
    },
    pooling: "tokens",
    scaler: loaded.task.type === "regression" ? r.scaler : null,
    encoder: { path: encoder.path, key: encoder.key, config: encoder.config },
    clips: r.clips,
    training: { source: path, head: loaded.head },
    createdAt: new Date().toISOString(),
  };
  return { spec, probe: loaded.probe, encoder };
}
