/**
 * What every view template receives, and the pieces of background every view shares (chest wall, lung).
 */

import type { Scene, Structure } from "./anatomy.ts";
import type { Patient } from "./patient.ts";
import type { Random } from "@echojepa/core";

/** Inputs of a view template. */
export interface SceneContext {
  patient: Patient;
  /** Random stream for this view's anatomical variation (not the acquisition's). */
  rng: Random;
  /** Depth of the chest wall's inner surface below the probe, cm. */
  chestWall: number;
}

/** A template's output: the anatomy, and the imaging depth a sonographer would pick for it (cm). */
export interface ViewTemplate {
  scene: Scene;
  nominalDepth: number;
}

/**
 * Background echo for transthoracic windows: layered chest wall (skin, fat, muscle) down to `chestWall`, then
 * weak, patchy mediastinal tissue at `deep` amplitude.
 */
export function chestWallBackground(chestWall: number, deep: number): (x: number, z: number) => number {
  return (_x, z) => {
    if (z < chestWall) return 0.3 + 0.3 * Math.cos((2 * Math.PI * z) / 0.45) ** 2;
    return deep;
  };
}

/** Assembles a transthoracic scene with the usual chest wall and clutter. */
export function transthoracicScene(
  ctx: SceneContext,
  structures: Structure[],
  deepEcho = 0.1,
  clutter = 1,
): Scene {
  return {
    structures,
    backgroundEcho: chestWallBackground(ctx.chestWall, deepEcho),
    chestWallDepth: ctx.chestWall,
    clutter,
  };
}
