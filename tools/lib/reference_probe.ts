/**
 * Probes saved by the reference's frozen evaluation (`echojepa-l-k-lvef.pt` and the like), read directly: the file
 * holds `classifiers`, the grid of heads trained side by side (one state dict each, `module.`-prefixed under DDP),
 * beside `opt`, `epoch` and, in EchoJEPA, `best_val_acc_per_head`. One head is used: `head`, else the one with the
 * highest `best_val_acc_per_head` when the file records it, else head 0 (the reference's inference configs).
 *
 * The architecture is read off the weights (width from `pooler.query_tokens`, depth from the `pooler.blocks`,
 * regressor or classifier and its outputs from the head), except the number of attention heads, which shapes do not
 * tell (default 16, the reference's). What the file does not say — the target scaler of a regressor and the clip
 * settings — comes from the caller, defaulting to the reference's LVEF evaluation (16 frames, frame step 2,
 * 2 segments, 224 px).
 *
 * @module
 */

import { AttentiveProbe, type ProbeTask, type TargetScaler } from "@echojepa/probe";
import { listWeights, loadWeights, lookup, type PickleValue, type Tensor } from "@echojepa/tensor";
import { stripWrapperPrefixes } from "@echojepa/vit";
import { CliError } from "./cli.ts";
import type { ForwardProbe } from "./features.ts";
import type { ClipSettings } from "./samples.ts";

/** What the caller supplies for a reference probe file. */
export interface ReferenceProbeOptions {
  /** Head of the grid to use (default: the best recorded, else 0). */
  head?: number;
  /** Attention heads of the probe (default 16). */
  attentionHeads?: number;
  /** Regression: μ, σ the targets were z-scored with (predictions are de-normalised with them). */
  scaler?: TargetScaler | null;
}

/** A reference probe, loaded. */
export interface LoadedReferenceProbe {
  /** The head, weights loaded, in eval mode. */
  probe: ForwardProbe;
  /** Its task. */
  task: ProbeTask;
  /** Width it reads. */
  dim: number;
  /** Which head of how many, and why. */
  head: { index: number; of: number; reason: string };
  /** Blocks (depth − 1 self-attention + 1 cross-attention). */
  depth: number;
}

/** The reference's LVEF evaluation clip settings (EchoJEPA `configs/eval/.../lvef`: 224 px, 16 × 2 × 2). */
export const REFERENCE_LVEF_CLIPS: ClipSettings = {
  frames: 16,
  fps: null,
  frameStep: 2,
  segments: 2,
  resolution: 224,
  sector: true,
};

function bestHead(root: PickleValue | null, count: number): { index: number; reason: string } {
  const best = root ? lookup(root, "best_val_acc_per_head") : undefined;
  if (Array.isArray(best) && best.length === count && best.every((v) => typeof v === "number")) {
    const values = best as number[];
    const index = values.indexOf(Math.max(...values));
    return { index, reason: `best_val_acc_per_head ${values[index]}` };
  }
  return { index: 0, reason: "the file records no per-head validation scores" };
}

/** Loads one head of a reference probe file (PyTorch `.pt` or its safetensors conversion). */
export function loadReferenceProbe(path: string, options: ReferenceProbeOptions = {}): LoadedReferenceProbe {
  let listing;
  try {
    listing = listWeights(path);
  } catch (e) {
    throw new CliError(`--probe ${path}: ${(e as Error).message}`);
  }
  const names = listing.entries.map((e) => e.name);
  const heads = new Set(
    names.map((n) => /^classifiers\.(\d+)\./.exec(n)?.[1]).filter((x) => x !== undefined),
  );
  let prefix = "";
  let head = { index: 0, of: 1, reason: "a single head" };
  if (heads.size > 0) {
    const of = heads.size;
    const chosen = options.head !== undefined
      ? { index: options.head, reason: "--probe-head" }
      : bestHead(listing.root, of);
    if (!heads.has(String(chosen.index))) {
      throw new CliError(`--probe-head ${chosen.index}: ${path} holds heads 0…${of - 1}`);
    }
    prefix = `classifiers.${chosen.index}.`;
    head = { ...chosen, of };
  } else if (!names.some((n) => /(^|\.)pooler\.query_tokens$/.test(n))) {
    throw new CliError(
      `--probe ${path}: no attentive probe in this file (no classifiers.<i>.… or pooler.query_tokens keys)`,
    );
  }
  const loaded = loadWeights(path, { prefix });
  const state = new Map<string, Tensor>([...loaded].map(([k, t]) => [stripWrapperPrefixes(k), t]));
  try {
    const query = state.get("pooler.query_tokens");
    const out = state.get("regressor.weight") ?? state.get("linear.weight");
    if (!query || !out) {
      throw new CliError(
        `--probe ${path}: head ${head.index} lacks pooler.query_tokens or a regressor/linear head (keys: ${
          [...state.keys()].slice(0, 6).join(", ")
        }, …)`,
      );
    }
    const dim = query.shape[2];
    const blocks = new Set(
      [...state.keys()].map((k) => /^pooler\.blocks\.(\d+)\./.exec(k)?.[1]).filter((x) => x),
    );
    const depth = blocks.size + 1;
    const regression = state.has("regressor.weight");
    const outputs = out.shape[0];
    const probe = new AttentiveProbe({
      dim,
      outputs,
      kind: regression ? "regressor" : "classifier",
      depth,
      numHeads: options.attentionHeads ?? 16,
    });
    try {
      probe.loadStateDict(state);
    } catch (e) {
      probe.dispose();
      throw new CliError(`--probe ${path}: head ${head.index} does not load: ${(e as Error).message}`);
    }
    probe.eval();
    const task: ProbeTask = regression
      ? { type: "regression" }
      : { type: "classification", numClasses: outputs };
    return { probe, task, dim, head, depth };
  } finally {
    for (const t of loaded.values()) t.dispose();
  }
}
