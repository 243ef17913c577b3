/**
 * The anatomical blocks of a scene flattened into numeric columns at the reference moment, and the per-point
 * membership test the scatterer engine runs for every scatterer (first containing block wins).
 */

import type { Structure } from "./anatomy.ts";
import { len2d } from "./fast_math.ts";
import { REFERENCE_STATE } from "./scene_parts.ts";

/** Block kind codes (also stored per moving scatterer). */
export const KIND_CHAMBER = 1, KIND_LEAFLET = 2, KIND_ARC = 3;

/** The blocks' reference-moment geometry as flat numeric columns (fast to scan per scatterer). */
export interface BlockTable {
  n: number;
  kind: Uint8Array;
  half: Uint8Array;
  /** Origin: chamber centre, leaflet hinge, or arc centre. */
  x: Float64Array;
  z: Float64Array;
  /** Chamber semi-axes; leaflet length and thickness; arc radius and lumen + wall. */
  a: Float64Array;
  b: Float64Array;
  ca: Float64Array;
  sa: Float64Array;
  wall: Float64Array;
  /** Arc angular extent. */
  a0: Float64Array;
  a1: Float64Array;
  bound2: Float64Array;
}

export function blockTable(structs: Structure[]): BlockTable {
  const n = structs.length;
  const f = () => new Float64Array(n);
  const t: BlockTable = {
    n,
    kind: new Uint8Array(n),
    half: new Uint8Array(n),
    x: f(),
    z: f(),
    a: f(),
    b: f(),
    ca: f(),
    sa: f(),
    wall: f(),
    a0: f(),
    a1: f(),
    bound2: f(),
  };
  structs.forEach((s, i) => {
    let bound: number;
    if (s.kind === "chamber") {
      const q = s.poseAt(REFERENCE_STATE);
      t.kind[i] = KIND_CHAMBER;
      t.half[i] = s.half ? 1 : 0;
      t.x[i] = q.cx, t.z[i] = q.cz, t.a[i] = q.a, t.b[i] = q.b, t.wall[i] = s.wall;
      t.ca[i] = Math.cos(s.angle), t.sa[i] = Math.sin(s.angle);
      bound = Math.max(q.a, q.b) + s.wall;
    } else if (s.kind === "leaflet") {
      const q = s.poseAt(REFERENCE_STATE);
      t.kind[i] = KIND_LEAFLET;
      t.x[i] = q.hx, t.z[i] = q.hz, t.a[i] = s.length, t.b[i] = s.thickness;
      t.ca[i] = Math.cos(q.angle), t.sa[i] = Math.sin(q.angle);
      bound = s.length + s.thickness;
    } else {
      t.kind[i] = KIND_ARC;
      t.x[i] = s.cx, t.z[i] = s.cz, t.a[i] = s.radius, t.b[i] = s.lumen + s.wall;
      t.a0[i] = s.a0, t.a1[i] = s.a1;
      bound = s.radius + s.lumen + s.wall;
    }
    t.bound2[i] = bound * bound;
  });
  return t;
}

/**
 * Index of the first block containing template point (tx, tz), or −1. Writes the point's local coordinates to
 * `out`: chamber [ρ, cos ψ, sin ψ, endocardial distance along the ray, depth into the wall]; leaflet
 * [along, across]; arc [angle, offset from the centre line].
 */
export function findBlock(t: BlockTable, tx: number, tz: number, out: Float64Array): number {
  for (let i = 0; i < t.n; i++) {
    const ex = tx - t.x[i], ez = tz - t.z[i];
    if (ex * ex + ez * ez > t.bound2[i]) continue;
    const code = t.kind[i];
    if (code === KIND_CHAMBER) {
      const u = ex * t.ca[i] + ez * t.sa[i];
      if (t.half[i] && u < 0) continue;
      const v = -ex * t.sa[i] + ez * t.ca[i];
      const a = t.a[i], b = t.b[i];
      const qu = u / a, qv = v / b;
      const rho = Math.sqrt(qu * qu + qv * qv);
      const cpsi = rho > 1e-9 ? qu / rho : 1, spsi = rho > 1e-9 ? qv / rho : 0;
      const dIn = len2d(a * cpsi, b * spsi);
      const depthInWall = (rho - 1) * dIn;
      if (rho > 1 && depthInWall > t.wall[i]) continue;
      out[0] = rho, out[1] = cpsi, out[2] = spsi, out[3] = dIn, out[4] = depthInWall;
      return i;
    } else if (code === KIND_LEAFLET) {
      const along = ex * t.ca[i] + ez * t.sa[i];
      const across = -ex * t.sa[i] + ez * t.ca[i];
      if (along < 0 || along > t.a[i] || Math.abs(across) > t.b[i] / 2) continue;
      out[0] = along, out[1] = across;
      return i;
    } else {
      const phi = Math.atan2(ez, ex);
      if (phi < t.a0[i] || phi > t.a1[i]) continue;
      const off = Math.sqrt(ex * ex + ez * ez) - t.a[i];
      if (Math.abs(off) > t.b[i]) continue;
      out[0] = phi, out[1] = off;
      return i;
    }
  }
  return -1;
}
