/**
 * The catalogue of named perturbation conditions (`<family>-<level>`) and {@link perturbClip}, which applies one
 * deterministically: the result depends only on (clip id, condition, seed).
 *
 * @module
 */

import { type Clip, type ClipData, clipDims, Random } from "@echojepa/core";
import { type DisplayOptions, mapEnvelope, resolveDisplay } from "./envelope.ts";
import { applyGainMap } from "./gain_map.ts";
import { type BeamCoordinates, beamCoordinates, type SectorGeometry } from "./geometry.ts";
import { type Level, LEVELS } from "./levels.ts";
import { changeDynamicRange, DYNAMIC_RANGE_PRESETS, GAIN_PRESETS } from "./physical/gain.ts";
import { HAZE_PRESETS, hazeEnvelope } from "./physical/haze.ts";
import { REVERBERATION_PRESETS, reverberationEnvelope } from "./physical/reverberation.ts";
import { RIB_SHADOW_PRESETS, ribShadowGain } from "./physical/rib_shadow.ts";
import { SPECKLE_PRESETS, speckleFactors } from "./physical/speckle.ts";
import { TISSUE_ATTENUATION_PRESETS, tissueAttenuationGain } from "./physical/tissue_attenuation.ts";
import { WALL_DROPOUT_PRESETS, wallDropoutPatches, wallWeight } from "./physical/wall_dropout.ts";
import {
  DEPTH_ATTENUATION_PRESETS,
  depthAttenuationMap,
  GAUSSIAN_SHADOW_PRESETS,
  gaussianShadowMap,
  sampleShadowCenter,
} from "./reference.ts";

/** A perturbation family; each has low/medium/high presets. */
export type PerturbationFamily =
  | "depth-attenuation"
  | "gaussian-shadow"
  | "rib-shadow"
  | "tissue-attenuation"
  | "gain"
  | "dynamic-range"
  | "haze"
  | "reverberation"
  | "speckle"
  | "wall-dropout";

/** One named condition of the catalogue. */
export interface ConditionInfo {
  /** `<family>-<level>`, e.g. `"depth-attenuation-medium"`. */
  id: string;
  /** Perturbation family. */
  family: PerturbationFamily;
  /** Severity. */
  level: Level;
  /** Whether it is one of the six conditions of the EchoJEPA robustness table. */
  reference: boolean;
  /** One line saying what it does. */
  description: string;
}

/** What every condition needs besides the clip. */
export interface PerturbOptions extends DisplayOptions {
  /** Stable identifier of the clip (file stem, manifest key); seeds the condition's random draws. */
  clipId: string;
  /** Experiment seed. Default 0. */
  seed?: number;
  /** Sector geometry when known; physical variants fall back to image coordinates without it. */
  sector?: SectorGeometry;
}

interface FamilyEntry {
  reference: boolean;
  describe: (level: Level) => string;
  apply: <D extends ClipData>(clip: Clip<D>, level: Level, ctx: Context) => Clip<D>;
}

interface Context {
  rng: Random;
  coords: () => BeamCoordinates;
  display: Required<DisplayOptions>;
}

const FAMILIES: Record<PerturbationFamily, FamilyEntry> = {
  "depth-attenuation": {
    reference: true,
    describe: (l) => `reference radial depth attenuation exp(−γ·d), γ = ${DEPTH_ATTENUATION_PRESETS[l].rate}`,
    apply: (clip, level, ctx) => {
      const { height, width } = clipDims(clip);
      return applyGainMap(
        clip,
        depthAttenuationMap(height, width, DEPTH_ATTENUATION_PRESETS[level]),
        ctx.display.maxValue,
      );
    },
  },
  "gaussian-shadow": {
    reference: true,
    describe: (l) => {
      const p = GAUSSIAN_SHADOW_PRESETS[l];
      return `reference static 2-D Gaussian shadow, strength ${p.strength}, σ ${p.sigma} of the frame`;
    },
    apply: (clip, level, ctx) => {
      const { height, width } = clipDims(clip);
      const center = sampleShadowCenter(height, width, ctx.rng);
      const map = gaussianShadowMap(height, width, { ...GAUSSIAN_SHADOW_PRESETS[level], ...center });
      return applyGainMap(clip, map, ctx.display.maxValue);
    },
  },
  "rib-shadow": {
    reference: false,
    describe: (l) => {
      const p = RIB_SHADOW_PRESETS[l];
      return `rib shadow wedge from ${p.startDepthCm} cm, envelope × ${p.attenuation}, half-width ${p.halfWidth}`;
    },
    apply: (clip, level, ctx) => {
      const gain = ribShadowGain(ctx.coords(), RIB_SHADOW_PRESETS[level], ctx.rng);
      return mapEnvelope(clip, (e, p) => e * gain[p], ctx.display);
    },
  },
  "tissue-attenuation": {
    reference: false,
    describe: (l) => {
      const p = TISSUE_ATTENUATION_PRESETS[l];
      return `extra attenuation ${p.alphaDbPerCmMHz} dB/cm/MHz at ${p.frequencyMHz} MHz, TGC ${p.tgcCompensation}`;
    },
    apply: (clip, level, ctx) => {
      const gain = tissueAttenuationGain(ctx.coords(), TISSUE_ATTENUATION_PRESETS[level]);
      return mapEnvelope(clip, (e, p) => e * gain[p], ctx.display, ctx.coords().inside);
    },
  },
  "gain": {
    reference: false,
    describe: (l) => `receiver gain ${GAIN_PRESETS[l].gainDb} dB`,
    apply: (clip, level, ctx) => {
      const factor = 10 ** (GAIN_PRESETS[level].gainDb / 20);
      return mapEnvelope(clip, (e) => e * factor, ctx.display, ctx.coords().inside);
    },
  },
  "dynamic-range": {
    reference: false,
    describe: (l) => `re-displayed at ${DYNAMIC_RANGE_PRESETS[l].displayedDb} dB dynamic range`,
    apply: (clip, level, ctx) =>
      changeDynamicRange(clip, DYNAMIC_RANGE_PRESETS[level], ctx.display, ctx.coords().inside),
  },
  "haze": {
    reference: false,
    describe: (l) => `near-field haze, amplitude ${HAZE_PRESETS[l].amplitude} at the apex`,
    apply: (clip, level, ctx) => {
      const haze = hazeEnvelope(ctx.coords(), HAZE_PRESETS[level], ctx.rng);
      return mapEnvelope(clip, (e, p) => e + haze[p], ctx.display, ctx.coords().inside);
    },
  },
  "reverberation": {
    reference: false,
    describe: (l) => {
      const p = REVERBERATION_PRESETS[l];
      return `${p.repeats} reverberation bands of a ${p.layerDepthCm} cm layer, amplitude ${p.amplitude}`;
    },
    apply: (clip, level, ctx) => {
      const bands = reverberationEnvelope(ctx.coords(), REVERBERATION_PRESETS[level], ctx.rng);
      return mapEnvelope(clip, (e, p) => e + bands[p], ctx.display, ctx.coords().inside);
    },
  },
  "speckle": {
    reference: false,
    describe: (l) => `multiplicative speckle noise, σ ${SPECKLE_PRESETS[l].sigma}, new every frame`,
    apply: (clip, level, ctx) => {
      const { height, width } = clipDims(clip);
      let frame = -1;
      let factors: Float32Array = new Float32Array(0);
      return mapEnvelope(
        clip,
        (e, p, t) => {
          if (t !== frame) {
            // Frames are visited in order, so each frame's noise is drawn once, in a fixed order.
            factors = speckleFactors(height * width, SPECKLE_PRESETS[level], ctx.rng);
            frame = t;
          }
          return e * factors[p];
        },
        ctx.display,
        ctx.coords().inside,
      );
    },
  },
  "wall-dropout": {
    reference: false,
    describe: (l) => {
      const p = WALL_DROPOUT_PRESETS[l];
      return `${p.patches} wall-dropout patch(es) removing ${p.strength * 100}% of bright echoes`;
    },
    apply: (clip, level, ctx) => {
      const params = WALL_DROPOUT_PRESETS[level];
      const amount = wallDropoutPatches(ctx.coords(), params, ctx.rng);
      const dr = ctx.display.dynamicRangeDb;
      return mapEnvelope(
        clip,
        (e, p) => {
          if (amount[p] === 0) return e;
          const greyFraction = 1 + (20 * Math.log10(e)) / dr;
          return e * (1 - amount[p] * wallWeight(greyFraction, params.brightnessThreshold));
        },
        ctx.display,
        ctx.coords().inside,
      );
    },
  },
};

/** Every family, reference ones first. */
export const PERTURBATION_FAMILIES: readonly PerturbationFamily[] = Object.keys(
  FAMILIES,
) as PerturbationFamily[];

/** The full catalogue: every family at every level. */
export const CONDITIONS: readonly ConditionInfo[] = PERTURBATION_FAMILIES.flatMap((family) =>
  LEVELS.map((level) => ({
    id: `${family}-${level}`,
    family,
    level,
    reference: FAMILIES[family].reference,
    description: FAMILIES[family].describe(level),
  }))
);

/**
 * The six conditions of the EchoJEPA robustness table, in its column order: depth attenuation low/medium/high
 * (the reference's "da075", "da150", "da215"), then Gaussian shadow low/medium/high.
 */
export const REFERENCE_CONDITION_IDS: readonly string[] = CONDITIONS.filter((c) => c.reference).map((c) =>
  c.id
);

/** Looks a condition up by id; throws an error listing the valid ids when it is unknown. */
export function conditionInfo(id: string): ConditionInfo {
  const info = CONDITIONS.find((c) => c.id === id);
  if (!info) {
    throw new RangeError(
      `unknown perturbation condition "${id}"; known: ${CONDITIONS.map((c) => c.id).join(", ")}`,
    );
  }
  return info;
}

/**
 * Applies the named condition to a clip and returns a new clip of the same shape and sample type. The random
 * draws (shadow centre, wedge position, noise) come from a stream seeded by (clip id, condition, seed), so the
 * result is the same in every process, independent of which other clips or conditions are processed.
 *
 * @example
 * ```ts
 * import { perturbClip } from "@echojepa/perturb";
 * import { makeClip } from "@echojepa/core";
 * const clip = makeClip(new Uint8Array(4 * 112 * 112).fill(120), [4, 112, 112]);
 * const shadowed = perturbClip(clip, "gaussian-shadow-high", { clipId: "0X1A2B3C", seed: 3 });
 * console.log(shadowed.shape); // [4, 112, 112]
 * ```
 */
export function perturbClip<D extends ClipData>(
  clip: Clip<D>,
  conditionId: string,
  options: PerturbOptions,
): Clip<D> {
  const info = conditionInfo(conditionId);
  const { height, width } = clipDims(clip, `perturbClip(${conditionId})`);
  if (typeof options.clipId !== "string") throw new TypeError("perturbClip: options.clipId must be a string");
  const rng = Random.from("echojepa-perturb", options.clipId, conditionId, options.seed ?? 0);
  let coords: BeamCoordinates | undefined;
  const ctx: Context = {
    rng,
    coords: () => coords ??= beamCoordinates(height, width, options.sector),
    display: resolveDisplay(options),
  };
  return FAMILIES[info.family].apply(clip, info.level, ctx);
}
