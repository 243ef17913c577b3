/**
 * Reusable anatomical parts for view templates: a ventricle that contracts with the exact-EF law, an atrium that
 * rides the annulus and fills in systole, hinged valve leaflets, round vessels and static blobs. Every part
 * returns a {@linkcode Structure} whose `poseAt` closes over its reference geometry.
 */

import type { Arc, Chamber, ChamberPose, Leaflet, Structure } from "./anatomy.ts";
import type { CycleState } from "./cardiac_cycle.ts";
import { lvFactorsAt } from "./cardiac_cycle.ts";

/** Echo (mean scatter amplitude) of the tissue types, relative to myocardium = 1. */
export const ECHO = {
  blood: 0.018,
  myocardium: 0.7,
  valve: 1.9,
  vesselWall: 1.5,
  liver: 0.55,
  solid: 0.8,
} as const;

/** A ventricle's contraction law: long-axis and radial factors at a contraction. */
export type VentricleLaw = (contraction: number) => { kL: number; kR: number };

/** The exact-EF LV law. */
export function lvLaw(ef: number): VentricleLaw {
  return (c) => lvFactorsAt(ef, c);
}

/** A simple law with given end-systolic long-axis and radial shortening fractions (e.g. the RV). */
export function simpleLaw(longShortening: number, radialShortening: number): VentricleLaw {
  return (c) => ({ kL: 1 - longShortening * c, kR: 1 - radialShortening * c });
}

/** A ventricle and the moving annulus it defines. */
export interface Ventricle {
  chamber: Chamber;
  /** Annulus (base) centre at a moment. */
  baseAt: (s: CycleState) => [number, number];
  /** Unit vector from apex to base. */
  apexToBase: [number, number];
  /** Unit vector perpendicular to the long axis, pointing to the screen's right (+x) side. */
  toRight: [number, number];
  /** Annulus radius at a moment. */
  radiusAt: (s: CycleState) => number;
}

/** A half-spheroid ventricle with its apex fixed at (apexX, apexZ). */
export function ventricle(
  name: string,
  apexX: number,
  apexZ: number,
  apexToBaseAngle: number,
  length: number,
  radius: number,
  wall: number,
  law: VentricleLaw,
  brightEpicardium = true,
): Ventricle {
  const d: [number, number] = [Math.cos(apexToBaseAngle), Math.sin(apexToBaseAngle)];
  // Of the two perpendiculars, pick the one pointing to screen right.
  const p: [number, number] = d[1] >= 0 ? [d[1], -d[0]] : [-d[1], d[0]];
  const toRight: [number, number] = p[0] >= 0 ? p : [-p[0], -p[1]];
  const poseAt = (s: CycleState): ChamberPose => {
    const { kL, kR } = law(s.contraction);
    const a = length * kL;
    return { cx: apexX + a * d[0], cz: apexZ + a * d[1], a, b: radius * kR };
  };
  const chamber: Chamber = {
    kind: "chamber",
    name,
    cx: apexX + length * d[0],
    cz: apexZ + length * d[1],
    angle: apexToBaseAngle + Math.PI, // axis points from the base centre toward the apex
    a: length,
    b: radius,
    wall,
    half: true,
    cavityEcho: ECHO.blood,
    wallEcho: ECHO.myocardium,
    cavityIsBlood: true,
    brightEpicardium,
    poseAt,
  };
  return {
    chamber,
    apexToBase: d,
    toRight,
    baseAt: (s) => {
      const q = poseAt(s);
      return [q.cx, q.cz];
    },
    radiusAt: (s) => poseAt(s).b,
  };
}

/** A full-ellipse chamber whose centre follows `centreAt` and whose axes scale by `scaleAt`. */
export function ellipseChamber(
  name: string,
  centreAt: (s: CycleState) => [number, number],
  angle: number,
  a: number,
  b: number,
  wall: number,
  scaleAt: (s: CycleState) => [number, number],
  options: Partial<Pick<Chamber, "cavityEcho" | "wallEcho" | "cavityIsBlood" | "brightEpicardium">> = {},
): Chamber {
  const ref = centreAt(REFERENCE_STATE);
  return {
    kind: "chamber",
    name,
    cx: ref[0],
    cz: ref[1],
    angle,
    a,
    b,
    wall,
    half: false,
    cavityEcho: options.cavityEcho ?? ECHO.blood,
    wallEcho: options.wallEcho ?? ECHO.myocardium,
    cavityIsBlood: options.cavityIsBlood ?? true,
    brightEpicardium: options.brightEpicardium ?? false,
    poseAt: (s) => {
      const [cx, cz] = centreAt(s);
      const [sa, sb] = scaleAt(s);
      return { cx, cz, a: a * sa, b: b * sb };
    },
  };
}

/** An atrium centred `offset` cm beyond the annulus along the ventricle's axis; it fills during systole. */
export function atrium(
  name: string,
  v: Ventricle,
  offset: number,
  a: number,
  b: number,
  wall: number,
): Chamber {
  const d = v.apexToBase;
  return ellipseChamber(
    name,
    (s) => {
      const [bx, bz] = v.baseAt(s);
      return [bx + d[0] * offset, bz + d[1] * offset];
    },
    Math.atan2(d[1], d[0]),
    a,
    b,
    wall,
    (s) => {
      const f = 1 + 0.1 * s.contraction;
      return [f, f];
    },
    { wallEcho: 0.45 },
  );
}

/** A solid static blob (liver, muscle) — its scatterers never move, so they are convolved once per clip. */
export function staticBlob(
  name: string,
  cx: number,
  cz: number,
  angle: number,
  a: number,
  b: number,
  echo: number,
): Chamber {
  const c = ellipseChamber(name, () => [cx, cz], angle, a, b, 0, () => [1, 1], {
    cavityEcho: echo,
    wallEcho: echo,
    cavityIsBlood: false,
  });
  c.isStatic = true;
  return c;
}

/**
 * A leaflet hinged at `hingeAt(s)`, swinging from `closedAngle` to `openAngle` as `openAt(s)` goes 0 → 1.
 * Angles are absolute (x, z)-plane directions; the swing takes the shorter way round.
 */
export function leaflet(
  name: string,
  hingeAt: (s: CycleState) => [number, number],
  closedAngle: number,
  openAngle: number,
  length: number,
  openAt: (s: CycleState) => number,
): Leaflet {
  let delta = openAngle - closedAngle;
  delta = Math.atan2(Math.sin(delta), Math.cos(delta));
  return {
    kind: "leaflet",
    name,
    length,
    thickness: 0.16,
    echo: ECHO.valve,
    poseAt: (s) => {
      const [hx, hz] = hingeAt(s);
      return { hx, hz, angle: closedAngle + delta * openAt(s) };
    },
  };
}

/**
 * The two leaflets of an atrioventricular valve at a ventricle's annulus (open in diastole). The leaflet on the
 * screen-left side (septal, for the mitral valve in apical views) is `leftLonger` × longer than the other.
 */
export function avValve(name: string, v: Ventricle, leftLonger = 1.3): Leaflet[] {
  const d = v.apexToBase, r = v.toRight;
  const out: Leaflet[] = [];
  for (const side of [-1, 1]) {
    const hingeAt = (s: CycleState): [number, number] => {
      const [bx, bz] = v.baseAt(s);
      // The annulus shrinks much less than the cavity radius.
      const rad = 0.85 * v.chamber.b * (1 - 0.1 * s.contraction);
      return [bx + side * r[0] * rad, bz + side * r[1] * rad];
    };
    // Closed: across the annulus, bowed slightly toward the atrium. Open: toward the apex, flared outward.
    const closed = Math.atan2(-side * r[1] + 0.3 * d[1], -side * r[0] + 0.3 * d[0]);
    const open = Math.atan2(-d[1] + 0.25 * side * r[1], -d[0] + 0.25 * side * r[0]);
    const rad = 0.85 * v.chamber.b;
    const length = rad * (side < 0 ? leftLonger : 2 - leftLonger) * 1.05;
    out.push(
      leaflet(`${name}-${side < 0 ? "left" : "right"}`, hingeAt, closed, open, length, (s) => s.inflowOpen),
    );
  }
  return out;
}

/**
 * A solid blob (papillary muscle, moderator band) riding `owner`'s motion: it is drawn from its own ellipse but
 * moves like the owner's cavity at that place. Call {@linkcode linkRiders} once the structure list is final.
 */
export function riderBlob(
  name: string,
  owner: Chamber,
  cx: number,
  cz: number,
  angle: number,
  a: number,
  b: number,
  echo: number,
): Chamber & { rides: Chamber } {
  const blob = ellipseChamber(name, () => [cx, cz], angle, a, b, 0, () => [1, 1], {
    cavityEcho: echo,
    wallEcho: echo,
    cavityIsBlood: false,
  });
  return Object.assign(blob, { rides: owner });
}

/** Sets `motionOwner` of every rider blob to the index of the chamber it rides, in the final list. */
export function linkRiders(structures: Structure[]): Structure[] {
  for (const s of structures) {
    if (s.kind !== "chamber" || !("rides" in s)) continue;
    const i = structures.indexOf((s as Chamber & { rides: Chamber }).rides);
    if (i < 0) throw new Error(`linkRiders: "${s.name}" rides a chamber that is not in the scene`);
    s.motionOwner = i;
  }
  return structures;
}

/** A round vessel seen in cross-section (blood inside a bright wall), pulsing a little in systole. */
export function roundVessel(
  name: string,
  cx: number,
  cz: number,
  radius: number,
  wall: number,
  pulse = 0.06,
): Chamber {
  return ellipseChamber(name, () => [cx, cz], 0, radius, radius, wall, (s) => {
    const f = 1 + pulse * s.outflowOpen;
    return [f, f];
  }, { wallEcho: ECHO.vesselWall });
}

/** A straight vessel segment (elongated ellipse) along `angle`, pulsing in systole. */
export function tubeVessel(
  name: string,
  cx: number,
  cz: number,
  angle: number,
  halfLength: number,
  radius: number,
  wall: number,
  pulse = 0.06,
): Chamber {
  return ellipseChamber(
    name,
    () => [cx, cz],
    angle,
    halfLength,
    radius,
    wall,
    (s) => [1, 1 + pulse * s.outflowOpen],
    {
      wallEcho: ECHO.vesselWall,
    },
  );
}

/** A curved vessel (arch) of centre-line radius `radius` between angles a0 < a1. */
export function arcVessel(
  name: string,
  cx: number,
  cz: number,
  radius: number,
  lumen: number,
  wall: number,
  a0: number,
  a1: number,
): Arc {
  return {
    kind: "arc",
    name,
    cx,
    cz,
    radius,
    lumen,
    wall,
    a0,
    a1,
    wallEcho: ECHO.vesselWall,
    lumenAt: (s) => lumen * (1 + 0.08 * s.outflowOpen),
  };
}

/** The moment used as the reference (material) configuration: end-diastole, valves shut, end-expiration. */
export const REFERENCE_STATE: CycleState = {
  timeSec: 0,
  phase: 0,
  contraction: 0,
  outflowOpen: 0,
  inflowOpen: 0,
  respPhase: 0,
};
