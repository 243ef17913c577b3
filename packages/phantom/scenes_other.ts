/**
 * The remaining windows: subcostal (IVC entering the right atrium, seen through the liver), suprasternal (aortic
 * arch) and "Exclude" (what a view classifier must reject: lung-obscured or badly off-axis images).
 */

import type { Scene, Structure } from "./anatomy.ts";
import type { CycleState } from "./cardiac_cycle.ts";
import type { SceneContext, ViewTemplate } from "./scene_context.ts";
import { transthoracicScene } from "./scene_context.ts";
import { arcVessel, ECHO, ellipseChamber, roundVessel, staticBlob, tubeVessel } from "./scene_parts.ts";

/**
 * Subcostal IVC view: liver in the near field, the IVC running across it into the RA, a hepatic vein joining it,
 * the diaphragm, and a sliver of the RV beyond. The IVC's diameter and its collapse with inspiration carry the
 * patient's right-atrial pressure; nothing else in this view depends on the RVSP components.
 */
export function subcostalView(ctx: SceneContext): ViewTemplate {
  const p = ctx.patient, rng = ctx.rng, hs = p.heartScale;
  const cw = ctx.chestWall * 0.7;
  const tilt = rng.uniform(-0.2, 0.05);
  const ivcZ = cw + 5.2 * hs + rng.uniform(-0.5, 0.5) * hs;
  const ivcHalf = 3.6 * hs;
  const ivcX = -1.2 * hs;
  const ivcR = p.ivcDiameter / 2;
  // Inspiration (first half of the respiratory cycle) narrows the IVC by up to `ivcCollapse`.
  const ivcScale = (s: CycleState): [number, number] => {
    const insp = 0.5 - 0.5 * Math.cos(2 * Math.PI * s.respPhase);
    return [1, 1 - p.ivcCollapse * insp];
  };
  const ivc = ellipseChamber("IVC", () => [ivcX, ivcZ], tilt, ivcHalf, ivcR, 0.15 * hs, ivcScale, {
    wallEcho: ECHO.vesselWall,
  });
  const endX = ivcX + Math.cos(tilt) * ivcHalf, endZ = ivcZ + Math.sin(tilt) * ivcHalf;
  const hv = tubeVessel("HepaticVein", ivcX - 0.6 * hs, ivcZ - 1.6 * hs, -1.0, 1.4 * hs, 0.3 * hs, 0.1, 0);
  const fill = (s: CycleState): [number, number] => [1 + 0.1 * s.contraction, 1 + 0.1 * s.contraction];
  const ra = ellipseChamber(
    "RA",
    () => [endX + 1.6 * hs, endZ - 0.4 * hs],
    -0.3,
    2.0 * hs,
    1.6 * hs,
    0.25 * hs,
    fill,
    {
      wallEcho: 0.45,
    },
  );
  const rv = ellipseChamber(
    "RV",
    () => [endX + 3.4 * hs, endZ - 2.6 * hs],
    -0.5,
    2.4 * hs,
    1.0 * hs,
    0.4 * hs,
    (s) => [
      1 - 0.1 * s.contraction,
      1 - 0.3 * s.contraction,
    ],
  );
  const diaphragm = staticBlob("Diaphragm", endX + 0.3 * hs, endZ - 2.3 * hs, -0.9, 3.2 * hs, 0.14 * hs, 2.0);
  const liver = staticBlob("Liver", -0.5, cw + 3.5 * hs, 0.1, 7.5 * hs, 5.5 * hs, ECHO.liver);
  const structures: Structure[] = [ivc, hv, ra, rv, diaphragm, liver];
  const scene: Scene = { ...transthoracicScene({ ...ctx, chestWall: cw }, structures, 0.05, 0.4) };
  return { scene, nominalDepth: ivcZ + 5 * hs + rng.uniform(0, 3) };
}

/** Suprasternal notch view: the aortic arch with its head-and-neck branches, the right PA under the arch. */
export function ssnView(ctx: SceneContext): ViewTemplate {
  const p = ctx.patient, rng = ctx.rng, hs = p.heartScale;
  const cw = ctx.chestWall * 0.8;
  const archR = 2.7 * hs, lumen = 0.6 * hs * (0.9 + 0.2 * rng.next());
  const cx = rng.uniform(-0.4, 0.4) * hs, cz = cw + 1.8 * hs + archR + lumen;
  const arch = arcVessel("Arch", cx, cz, archR, lumen, 0.22 * hs, -Math.PI + 0.35, -0.2);
  const structures: Structure[] = [arch];
  // Three branches leave the top of the arch toward the neck (up the screen).
  for (const [k, at] of [-2.15, -1.75, -1.35].entries()) {
    const bx = cx + Math.cos(at) * (archR + lumen + 0.9 * hs);
    const bz = cz + Math.sin(at) * (archR + lumen + 0.9 * hs);
    structures.push(tubeVessel(`Branch${k}`, bx, bz, at, 1.0 * hs, 0.28 * hs, 0.12 * hs, 0.1));
  }
  structures.push(roundVessel("RPA", cx + 0.2 * hs, cz + 0.3 * hs, 0.9 * hs, 0.2 * hs, 0.05));
  const la = ellipseChamber(
    "LA",
    () => [cx + 0.3 * hs, cz + 2.9 * hs],
    0,
    2.0 * hs,
    1.2 * hs,
    0.25 * hs,
    (s) => [
      1 + 0.08 * s.contraction,
      1 + 0.08 * s.contraction,
    ],
    { wallEcho: 0.45 },
  );
  structures.push(la);
  const scene = transthoracicScene({ ...ctx, chestWall: cw }, structures, 0.08, 0.5);
  return { scene, nominalDepth: cz + 4.5 * hs + rng.uniform(0, 2) };
}

/**
 * "Exclude": images a reader would discard. Half are lung-obscured windows (pleural line, A-line reverberations,
 * a barely visible heart), half are badly off-axis cuts of another view (the caller rotates those by 35–80°).
 */
export function excludeLungView(ctx: SceneContext): ViewTemplate {
  const rng = ctx.rng, hs = ctx.patient.heartScale;
  const pleura = ctx.chestWall + rng.uniform(0.2, 0.8);
  const aLineGap = pleura;
  const base = transthoracicScene(ctx, [], 0.02, 1.5);
  // A faint, blurry chamber deep down: the heart barely seen through lung.
  const ghost = ellipseChamber(
    "Ghost",
    () => [rng.uniform(-2, 2), pleura + 7 * hs],
    0.3,
    3 * hs,
    2 * hs,
    0.8 * hs,
    () => [1, 1],
    {
      wallEcho: 0.15,
    },
  );
  const scene: Scene = {
    ...base,
    structures: [ghost],
    backgroundEcho: (x, z) => {
      const bg = base.backgroundEcho(x, z);
      if (z < pleura) return bg;
      // Bright pleural line, then horizontal A-line replicas at multiples of its depth, fading.
      const k = Math.round(z / aLineGap);
      const dz = z - k * aLineGap;
      const line = Math.abs(dz) < 0.12 ? 2.2 * Math.pow(0.55, k - 1) : 0;
      return Math.max(bg, line);
    },
  };
  return { scene, nominalDepth: pleura + 9 * hs + rng.uniform(0, 3) };
}
