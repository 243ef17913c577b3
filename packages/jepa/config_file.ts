/**
 * Reading pretraining configs from YAML or JSON files.
 *
 * A file holds an optional `preset:` naming the base, plus any overrides in the shape of {@link PretrainConfig}:
 *
 * ```yaml
 * preset: micro
 * optim:
 *   epochs: 20
 * run:
 *   outDir: runs/micro-long
 * ```
 *
 * @module
 */

import { parse as parseYaml } from "yaml";
import { type PretrainConfig, type PretrainConfigOverrides, resolveConfig } from "./config.ts";

/** A parsed config file: its base preset and its overrides. */
export interface ConfigFile {
  /** Base preset (default "micro"). */
  preset: string;
  /** Everything else in the file. */
  overrides: PretrainConfigOverrides;
}

/** Parses config text; `.json` files as JSON, anything else as YAML (a superset of JSON). */
export function parseConfigText(text: string, path = "<config>"): ConfigFile {
  let raw: unknown;
  try {
    raw = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`pretrain config ${path}: cannot parse: ${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error(`pretrain config ${path}: expected a mapping at the top level`);
  }
  const { preset = "micro", ...overrides } = raw as Record<string, unknown>;
  if (typeof preset !== "string") throw new Error(`pretrain config ${path}: preset must be a string`);
  return { preset, overrides: overrides as PretrainConfigOverrides };
}

/** Reads a config file and resolves it (preset, file overrides, then `extra` overrides such as CLI flags). */
export async function loadConfigFile(
  path: string,
  ...extra: PretrainConfigOverrides[]
): Promise<PretrainConfig> {
  const { preset, overrides } = parseConfigText(await Deno.readTextFile(path), path);
  try {
    return resolveConfig(preset, overrides, ...extra);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
