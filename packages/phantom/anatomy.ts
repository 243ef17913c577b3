/**
 * Anatomical building blocks of a view: chambers (ellipses with walls that contract), valve leaflets (hinged
 * segments that swing open and shut), curved vessels (arcs), and the static background. All coordinates are in
 * the view's template frame, in cm (x lateral, z depth), at end-diastole; each block also says where it is at any
 * moment of the cycle, which the scatterer engine uses to move tissue in material coordinates.
 */

import type { CycleState } from "./cardiac_cycle.ts";

/** Geometry of a chamber at one moment: centre and the two semi-axes (the axis direction never changes). */
export interface ChamberPose {
  cx: number;
  cz: number;
  a: number;
  b: number;
}

/**
 * An elliptical chamber (or solid blob) with a wall. Local axes: `u` along the axis direction (for a ventricle,
 * from the annulus centre toward the apex), `v` perpendicular. A `half` chamber keeps only the apical half
 * (u ≥ 0), open at its base, as the LV is at its annulus.
 */
export interface Chamber {
  kind: "chamber";
  name: string;
  /**
   * End-diastolic centre (informational: the scatterer engine always uses `poseAt(REFERENCE_STATE)`, so a
   * template may shift a chamber by wrapping `poseAt` alone).
   */
  cx: number;
  cz: number;
  /** Axis direction angle in radians, in the (x, z) plane: axis = (cos, sin). */
  angle: number;
  a: number;
  b: number;
  wall: number;
  half: boolean;
  /** Mean scatter amplitude inside the cavity (blood ≈ 0.02, solid tissue ≈ 0.5–1). */
  cavityEcho: number;
  /** Mean scatter amplitude of the wall. */
  wallEcho: number;
  /** Cavity contents decorrelate frame to frame (flowing blood). */
  cavityIsBlood: boolean;
  /** The wall's outer 0.2 cm is brighter (epicardium + pericardium). */
  brightEpicardium: boolean;
  /** Where the chamber is at a moment of the cycle. */
  poseAt: (s: CycleState) => ChamberPose;
  /**
   * Optional: index of another chamber whose motion this one follows (e.g. papillary muscles ride the LV).
   * Only the member test uses this chamber's own ellipse.
   */
  motionOwner?: number;
  /** The chamber never moves (liver, muscle): its scatterers are beamformed once per clip. */
  isStatic?: boolean;
}

/** A valve leaflet: a thin segment hinged at the annulus. */
export interface Leaflet {
  kind: "leaflet";
  name: string;
  length: number;
  thickness: number;
  echo: number;
  /** Hinge point and pointing angle (radians, (x, z) plane) at a moment. */
  poseAt: (s: CycleState) => { hx: number; hz: number; angle: number };
}

/** A curved vessel (e.g. the aortic arch): an annular sector of a circle, lumen plus wall. */
export interface Arc {
  kind: "arc";
  name: string;
  cx: number;
  cz: number;
  /** Radius of the vessel's centre line, cm. */
  radius: number;
  /** End-diastolic lumen half-width, cm. */
  lumen: number;
  wall: number;
  /** Angular extent (radians, measured with atan2(z, x)); a0 < a1. */
  a0: number;
  a1: number;
  wallEcho: number;
  /** Lumen half-width at a moment (systolic expansion). */
  lumenAt: (s: CycleState) => number;
}

/** Any anatomical block. */
export type Structure = Chamber | Leaflet | Arc;

/** Everything the scatterer engine needs to know about one view's anatomy. */
export interface Scene {
  /** Blocks in priority order: a point belongs to the first block that contains it. */
  structures: Structure[];
  /** Mean scatter amplitude of static tissue at a template-frame point not covered by any block. */
  backgroundEcho: (x: number, z: number) => number;
  /** Depth (probe frame, cm) of the bright near-field layer (chest wall) that causes reverberation clutter. */
  chestWallDepth: number;
  /** Strength of stationary near-field clutter (0 = none). */
  clutter: number;
}

/** Unit vector of an angle. */
export function dir(angle: number): [number, number] {
  return [Math.cos(angle), Math.sin(angle)];
}

/** Point `p + d·(cos angle, sin angle)`. */
export function offset(x: number, z: number, angle: number, d: number): [number, number] {
  return [x + d * Math.cos(angle), z + d * Math.sin(angle)];
}
