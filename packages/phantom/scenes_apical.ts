/**
 * Apical views (probe at the apex, apex at the top of the sector, ASE orientation: LV on the screen's right,
 * RV left, atria at the bottom) and the mid-oesophageal four-chamber TEE view, which is the same anatomy seen
 * from behind the atria (atria at the top).
 */

import type { Structure } from "./anatomy.ts";
import type { SceneContext, ViewTemplate } from "./scene_context.ts";
import { transthoracicScene } from "./scene_context.ts";
import {
  atrium,
  avValve,
  ECHO,
  leaflet,
  linkRiders,
  lvLaw,
  REFERENCE_STATE,
  riderBlob,
  simpleLaw,
  tubeVessel,
  ventricle,
} from "./scene_parts.ts";
import type { Ventricle } from "./scene_parts.ts";

/** Which apical-family view to build. */
export type ApicalKind = "A4C" | "A5C" | "A2C" | "A3C" | "TEE";

/** Builds an apical-family view of the patient's heart. */
export function apicalView(kind: ApicalKind, ctx: SceneContext): ViewTemplate {
  const p = ctx.patient, rng = ctx.rng, hs = p.heartScale;
  const tee = kind === "TEE";
  // TEE: the oesophagus lies right behind the LA, so the heart hangs below the probe, base up.
  const apexToBase = tee ? -Math.PI / 2 + rng.uniform(-0.25, -0.05) : Math.PI / 2 + rng.uniform(-0.22, -0.05);
  const laDepth = 2.1 * hs;
  const apexZ = tee ? 0.5 + 2 * laDepth + p.lvLength + 0.2 : ctx.chestWall + rng.uniform(0.4, 1.0) * hs;
  const apexX = (kind === "A2C" ? rng.uniform(-0.3, 0.4) : rng.uniform(0.2, 0.9)) * hs;
  const lv = ventricle("LV", apexX, apexZ, apexToBase, p.lvLength, p.lvRadius, p.lvWall, lvLaw(p.ef));
  // Leaflets first: a point belongs to the first block containing it, and leaflets swing into the cavities.
  const valves: Structure[] = [];
  const s: Structure[] = [lv.chamber];
  const d = lv.apexToBase, right = lv.toRight;

  // A papillary muscle on the lateral wall, half-way down: it rides the LV cavity's motion.
  const pmAt = 0.5 * p.lvLength, pmSide = kind === "A2C" ? rng.pick([-1, 1]) : 1;
  valves.push(riderBlob(
    "PM",
    lv.chamber,
    apexX + d[0] * pmAt + pmSide * right[0] * p.lvRadius * 0.62,
    apexZ + d[1] * pmAt + pmSide * right[1] * p.lvRadius * 0.62,
    Math.atan2(d[1], d[0]),
    0.75 * hs,
    0.28 * hs,
    0.5,
  ));

  if (kind === "A4C" || kind === "A5C" || kind === "TEE") {
    const rv = rightVentricle(ctx, lv);
    // Moderator band: a thin muscular bridge across the apical third of the RV (trabeculation cue).
    const rc = rv.chamber, rax = Math.cos(rc.angle), raz = Math.sin(rc.angle);
    const mbX = rc.cx + rax * rc.a * 0.62, mbZ = rc.cz + raz * rc.a * 0.62;
    valves.push(riderBlob("ModeratorBand", rc, mbX, mbZ, rc.angle + Math.PI / 2, rc.b * 0.75, 0.1 * hs, 0.6));
    if (kind === "A5C") addOutflowTract(s, valves, lv, hs, -0.2, 0.35);
    valves.push(...avValve("MV", lv, 1.3), ...avValve("TV", rv, 1.1));
    s.push(rv.chamber);
    s.push(atrium("LA", lv, 2.0 * hs, 2.1 * hs, 1.9 * hs, 0.25 * hs));
    s.push(atrium("RA", rv, 1.9 * hs, 1.9 * hs, 1.7 * hs, 0.25 * hs));
  } else if (kind === "A2C") {
    valves.push(...avValve("MV", lv, 1.1));
    s.push(atrium("LA", lv, 2.1 * hs, 2.2 * hs, 2.0 * hs, 0.25 * hs));
    // The coronary sinus / LA appendage: a small blood pocket beside the annulus.
    s.push(
      tubeVessel(
        "LAA",
        lv.chamber.cx + right[0] * p.lvRadius * 1.5,
        lv.chamber.cz + d[1] * 0.4,
        0.6,
        0.6 * hs,
        0.35 * hs,
        0.15,
      ),
    );
  } else {
    // A3C: LVOT and aortic root to the right of the mitral valve, LA displaced to the left.
    addOutflowTract(s, valves, lv, hs, 0.75, 0.45);
    valves.push(...avValve("MV", lv, 1.2));
    const la = atrium("LA", lv, 2.0 * hs, 2.0 * hs, 1.8 * hs, 0.25 * hs);
    const basePose = la.poseAt;
    la.poseAt = (st) => {
      const q = basePose(st);
      return { ...q, cx: q.cx - right[0] * p.lvRadius * 0.6, cz: q.cz - right[1] * p.lvRadius * 0.6 };
    };
    s.push(la);
  }
  const depth = tee
    ? (apexZ + 0.8 * hs + rng.uniform(0.5, 1.5))
    : (apexZ + p.lvLength + 3.3 * hs + rng.uniform(0, 1.5));
  const scene = transthoracicScene(
    tee ? { ...ctx, chestWall: 0.25 } : ctx,
    linkRiders([...valves, ...s]),
    0.1,
    tee ? 0.2 : 1,
  );
  return { scene, nominalDepth: depth };
}

/** The RV beside the LV on the screen-left side, its size following the patient's pressure load. */
function rightVentricle(ctx: SceneContext, lv: Ventricle): Ventricle {
  const p = ctx.patient, hs = p.heartScale;
  const d = lv.apexToBase, right = lv.toRight;
  const rvRadius = 0.62 * p.lvRadius * p.rvScale;
  const rvLength = 0.8 * p.lvLength * Math.sqrt(p.rvScale);
  const rvWall = 0.4 * hs;
  const lvBaseX = lv.chamber.cx, lvBaseZ = lv.chamber.cz;
  const sep = p.lvRadius + p.lvWall + rvRadius - rvWall * 0.5;
  const baseX = lvBaseX - right[0] * sep, baseZ = lvBaseZ - right[1] * sep;
  // The RV axis leans toward the LV apex.
  const tilt = Math.atan2(d[1], d[0]) + 0.22 * Math.sign(d[1] || 1);
  const apexX = baseX - rvLength * Math.cos(tilt), apexZ = baseZ - rvLength * Math.sin(tilt);
  return ventricle("RV", apexX, apexZ, tilt, rvLength, rvRadius, rvWall, simpleLaw(0.18, 0.28));
}

/** Adds an LVOT + aortic root starting at the LV base, `side` LV radii toward screen right, with its valve. */
function addOutflowTract(
  chambers: Structure[],
  valves: Structure[],
  lv: Ventricle,
  hs: number,
  side: number,
  lean: number,
): void {
  const d = lv.apexToBase, right = lv.toRight;
  const b = lv.chamber.b;
  const rootAngle = Math.atan2(d[1] + lean * right[1], d[0] + lean * right[0]);
  const halfLen = 1.9 * hs, radius = 1.0 * hs;
  const ax = Math.cos(rootAngle), az = Math.sin(rootAngle);
  const annulusAt = (st: Parameters<Ventricle["baseAt"]>[0]): [number, number] => {
    const [bx, bz] = lv.baseAt(st);
    return [bx + right[0] * side * b - d[0] * 0.3, bz + right[1] * side * b - d[1] * 0.3];
  };
  const [ax0, az0] = annulusAt(REFERENCE_STATE);
  const root = tubeVessel(
    "Ao",
    ax0 + ax * halfLen,
    az0 + az * halfLen,
    rootAngle,
    halfLen,
    radius,
    0.25 * hs,
    0.05,
  );
  chambers.push(root);
  for (const sgn of [-1, 1]) {
    const px = -az * sgn, pz = ax * sgn;
    const hingeAt = (st: Parameters<Ventricle["baseAt"]>[0]): [number, number] => {
      const [x, z] = annulusAt(st);
      return [x + ax * 0.2 + px * radius * 0.95, z + az * 0.2 + pz * radius * 0.95];
    };
    const closed = Math.atan2(-pz - 0.2 * az, -px - 0.2 * ax);
    const open = Math.atan2(az + 0.1 * pz, ax + 0.1 * px);
    const valve = leaflet(`AV-${sgn}`, hingeAt, closed, open, radius * 0.95, (st) => st.outflowOpen);
    valve.echo = ECHO.valve;
    valves.push(valve);
  }
}
