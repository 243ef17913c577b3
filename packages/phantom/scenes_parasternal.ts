/**
 * Parasternal views: the long axis (PLAX, LV horizontal with the apex off to the left, aortic root and LA on the
 * right) and the four short-axis levels (PSAX at the aortic valve, mitral valve, papillary muscles and apex).
 */

import type { Chamber, Leaflet, Structure } from "./anatomy.ts";
import type { CycleState } from "./cardiac_cycle.ts";
import { lvFactorsAt } from "./cardiac_cycle.ts";
import type { SceneContext, ViewTemplate } from "./scene_context.ts";
import { transthoracicScene } from "./scene_context.ts";
import {
  atrium,
  avValve,
  ECHO,
  ellipseChamber,
  leaflet,
  lvLaw,
  REFERENCE_STATE,
  roundVessel,
  tubeVessel,
  ventricle,
} from "./scene_parts.ts";

/** Parasternal long axis. */
export function plaxView(ctx: SceneContext): ViewTemplate {
  const p = ctx.patient, rng = ctx.rng, hs = p.heartScale, cw = ctx.chestWall;
  const rvWall = 0.4 * hs, rvB = 0.85 * hs * p.rvScale;
  const rvZ = cw + 0.2 * hs + rvWall + rvB;
  const rv = ellipseChamber(
    "RV",
    () => [0.3 * hs, rvZ],
    rng.uniform(-0.12, 0.05),
    3.4 * hs,
    rvB,
    rvWall,
    (s) => [
      1,
      1 - 0.3 * s.contraction,
    ],
  );
  const lvZ = rvZ + rvB + p.lvWall + p.lvRadius;
  const angle = rng.uniform(-0.16, -0.02);
  const apexX = -0.62 * p.lvLength + rng.uniform(-0.5, 0.5) * hs;
  const lv = ventricle(
    "LV",
    apexX,
    lvZ - p.lvLength * Math.sin(angle) * 0.5,
    angle,
    p.lvLength,
    p.lvRadius,
    p.lvWall,
    lvLaw(p.ef),
  );
  const d = lv.apexToBase, down = lv.toRight; // for a rightward axis, "toRight" of the axis points down
  const base0 = lv.baseAt(REFERENCE_STATE);
  // Aortic root continues the LVOT up and to the right of the anterior mitral leaflet.
  const rootR = 1.05 * hs, rootHalf = 2.0 * hs;
  const rootAngle = angle - 0.12;
  const annulus = (s: CycleState): [number, number] => {
    const [bx, bz] = lv.baseAt(s);
    return [bx - down[0] * 0.55 * p.lvRadius + d[0] * 0.2, bz - down[1] * 0.55 * p.lvRadius + d[1] * 0.2];
  };
  const a0 = annulus(REFERENCE_STATE);
  const root = tubeVessel(
    "Ao",
    a0[0] + Math.cos(rootAngle) * rootHalf,
    a0[1] + Math.sin(rootAngle) * rootHalf,
    rootAngle,
    rootHalf,
    rootR,
    0.28 * hs,
  );
  const valves: Leaflet[] = [...avValve("MV", lv, 1.35)];
  for (const sgn of [-1, 1]) {
    const nx = -Math.sin(rootAngle) * sgn, nz = Math.cos(rootAngle) * sgn;
    const hinge = (s: CycleState): [number, number] => {
      const [x, z] = annulus(s);
      return [x + nx * rootR * 0.95, z + nz * rootR * 0.95];
    };
    valves.push(
      leaflet(
        `AV-${sgn}`,
        hinge,
        Math.atan2(-nz, -nx),
        rootAngle + 0.1 * sgn,
        rootR * 0.95,
        (s) => s.outflowOpen,
      ),
    );
  }
  const la = atrium("LA", lv, 2.4 * hs, 1.8 * hs, 1.6 * hs, 0.25 * hs);
  const laPose = la.poseAt;
  la.poseAt = (s) => {
    const q = laPose(s);
    return { ...q, cx: q.cx + down[0] * 0.9 * p.lvRadius, cz: q.cz + down[1] * 0.9 * p.lvRadius };
  };
  const laRef = la.poseAt(REFERENCE_STATE);
  const dAo = roundVessel("DescAo", laRef.cx - 0.6 * hs, laRef.cz + laRef.b + 1.3 * hs, 0.8 * hs, 0.2 * hs);
  const structures: Structure[] = [...valves, lv.chamber, root, rv, la, dAo];
  const depth = Math.max(base0[1], laRef.cz) + 1.6 * hs + 2.5 * hs + rng.uniform(0, 2);
  return { scene: transthoracicScene(ctx, structures, 0.035, 0.8), nominalDepth: depth };
}

/** Short-axis level. */
export type PsaxLevel = "AV" | "MV" | "PM" | "AP";

/** Parasternal short axis at one level. */
export function psaxView(level: PsaxLevel, ctx: SceneContext): ViewTemplate {
  if (level === "AV") return psaxAorticValve(ctx);
  const p = ctx.patient, rng = ctx.rng, hs = p.heartScale, cw = ctx.chestWall;
  const ringFrac = level === "MV" ? 1.0 : level === "PM" ? 0.88 : 0.55;
  const r = p.lvRadius * ringFrac;
  const wall = p.lvWall * (level === "AP" ? 1.1 : 1);
  const showRv = level !== "AP" || p.rvScale > 1.25;
  const rvB = 0.55 * r * p.rvScale;
  const cz = cw + 0.4 * hs + (showRv ? 2 * rvB + 0.4 * hs : 0.5) + wall + r;
  const cx = rng.uniform(-0.4, 0.5) * hs;
  // The septum (toward the RV, up and to the left) flattens under RV pressure load: squash that axis.
  const rvDir = -2.25 + rng.uniform(-0.15, 0.15);
  const law = (s: CycleState): [number, number] => {
    const k = lvFactorsAt(p.ef, s.contraction).kR;
    return [k, k];
  };
  const lv = ellipseChamber("LV", () => [cx, cz], rvDir, r * (1 - p.septalFlattening * 0.6), r, wall, law, {
    brightEpicardium: true,
  });
  const structures: Structure[] = [];
  if (level === "MV") structures.push(...fishMouthValve(lv, r));
  if (level === "PM") {
    for (const side of [-1, 1]) {
      const ang = Math.PI / 2 + side * 0.85 + rng.uniform(-0.15, 0.15);
      const pm = ellipseChamber(
        `PM${side}`,
        () => [cx + Math.cos(ang) * r * 0.72, cz + Math.sin(ang) * r * 0.72],
        ang,
        0.32 * r,
        0.24 * r,
        0,
        () => [1, 1],
        { cavityEcho: ECHO.myocardium * 0.9, cavityIsBlood: false },
      );
      pm.motionOwner = 2; // the LV's index: the two papillary muscles come first
      structures.push(pm);
    }
  }
  structures.push(lv);
  if (showRv) {
    const rvDist = r + wall + rvB * 0.55;
    const rv = ellipseChamber(
      "RV",
      () => [cx + Math.cos(rvDir) * rvDist, cz + Math.sin(rvDir) * rvDist],
      rvDir + Math.PI / 2,
      1.45 * r * Math.sqrt(p.rvScale),
      rvB,
      0.4 * hs,
      (s) => [1 - 0.1 * s.contraction, 1 - 0.3 * s.contraction],
    );
    structures.push(rv);
  }
  const depth = cz + r + wall + 4.5 * hs + rng.uniform(0, 2);
  return { scene: transthoracicScene(ctx, structures, 0.04, 0.8), nominalDepth: depth };
}

/** Mitral "fish mouth": two leaflets across the LV ring that part in diastole. */
function fishMouthValve(lv: Chamber, r: number): Leaflet[] {
  const out: Leaflet[] = [];
  for (const side of [-1, 1]) {
    out.push({
      kind: "leaflet",
      name: `MV${side}`,
      length: 1.5 * r,
      thickness: 0.16,
      echo: ECHO.valve,
      poseAt: (s) => {
        const q = lv.poseAt(s);
        const gap = (0.08 + 0.55 * s.inflowOpen) * q.b;
        return { hx: q.cx - 0.75 * r, hz: q.cz + side * gap, angle: side * 0.08 * (1 - s.inflowOpen) };
      },
    });
  }
  return out;
}

/** PSAX at the aortic valve: "Mercedes" valve in the root, LA below, RA lower left, RVOT above, PA right. */
function psaxAorticValve(ctx: SceneContext): ViewTemplate {
  const p = ctx.patient, rng = ctx.rng, hs = p.heartScale, cw = ctx.chestWall;
  const rootR = 1.1 * hs;
  const rvotB = 0.8 * hs * Math.sqrt(p.rvScale);
  const cx = rng.uniform(-0.3, 0.5) * hs;
  const cz = cw + 0.5 * hs + 2 * rvotB + 0.6 * hs + rootR;
  const root = roundVessel("AoRoot", cx, cz, rootR, 0.3 * hs, 0.05);
  const structures: Structure[] = [];
  for (let k = 0; k < 3; k++) {
    const at = Math.PI / 2 + (2 * Math.PI * k) / 3 + rng.uniform(-0.1, 0.1);
    const hx = cx + Math.cos(at) * rootR * 0.95, hz = cz + Math.sin(at) * rootR * 0.95;
    const inward = at + Math.PI;
    structures.push(
      leaflet(`AV${k}`, () => [hx, hz], inward, inward + 1.2, rootR * 0.93, (s) => s.outflowOpen),
    );
  }
  const fill = (s: CycleState): [number, number] => [1 + 0.1 * s.contraction, 1 + 0.1 * s.contraction];
  const la = ellipseChamber(
    "LA",
    () => [cx + 0.4 * hs, cz + rootR + 1.7 * hs],
    0.1,
    2.2 * hs,
    1.5 * hs,
    0.25 * hs,
    fill,
    {
      wallEcho: 0.45,
    },
  );
  const ra = ellipseChamber(
    "RA",
    () => [cx - 2.5 * hs, cz + 0.9 * hs],
    0.9,
    1.7 * hs,
    1.4 * hs,
    0.25 * hs,
    fill,
    {
      wallEcho: 0.45,
    },
  );
  const rvot = ellipseChamber(
    "RVOT",
    () => [cx - 0.4 * hs, cz - rootR - 0.3 * hs - rvotB],
    -0.15,
    2.7 * hs,
    rvotB,
    0.4 * hs,
    (s) => [1, 1 - 0.25 * s.contraction],
  );
  const pa = tubeVessel("PA", cx + 2.5 * hs, cz - 0.6 * hs, 1.0, 1.5 * hs, 0.85 * hs, 0.22 * hs);
  structures.push(root, rvot, pa, la, ra);
  return {
    scene: transthoracicScene(ctx, structures, 0.04, 0.8),
    nominalDepth: cz + 5.5 * hs + rng.uniform(0, 2),
  };
}
