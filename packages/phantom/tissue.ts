/**
 * The scatterer engine: fills the sector with sub-resolution point scatterers, tags each with the anatomical block
 * it belongs to and its material (reference) coordinates in that block, and moves them with the heart frame by
 * frame. Tissue scatterers keep their material coordinates, so their speckle stays coherent with motion; blood
 * scatterers get a fresh random phase every frame, so blood speckle decorrelates. Static tissue (chest wall,
 * liver, lung) is beamformed once per clip.
 */

import type { Arc, Chamber, Leaflet, Scene } from "./anatomy.ts";
import { blockTable, findBlock, KIND_ARC, KIND_CHAMBER, KIND_LEAFLET } from "./block_table.ts";
import type { CycleState } from "./cardiac_cycle.ts";
import type { ComplexImage, PolarGrid } from "./polar_grid.ts";
import { makeComplexImage, splat } from "./polar_grid.ts";
import { Random } from "@echojepa/core";
import { len2d } from "./fast_math.ts";
import { makeTexture } from "./texture.ts";

/** Rigid placement of the view template under the probe, plus a respiratory drift. */
export interface ProbePose {
  /** Rotation of the template about the probe, radians (positive turns +x toward +z). */
  rotation: number;
  /** Translation after rotation, cm. */
  shiftX: number;
  shiftZ: number;
  /** Peak respiratory displacement of the heart (moving structures only), cm. */
  respX: number;
  respZ: number;
}

/** Settings of the scatterer field. */
export interface TissueOptions {
  /** Mean scatterers per polar sample (≥ ~1.5 gives fully developed speckle with the default PSF). */
  density: number;
  /** Wavelength at the centre frequency, cm (sets the phase 4π·r/λ). */
  wavelength: number;
  /** Seed of the patient's tissue texture (low-frequency myocardial heterogeneity). */
  textureSeed: number;
  /** Strength of that heterogeneity (log-amplitude standard deviation; default 0.35, 0 = homogeneous). */
  heterogeneity?: number;
}

/** Fraction of blood scatterers kept (their amplitude is raised to keep the mean intensity). */
const BLOOD_KEEP = 0.25;

/** All scatterers of one clip: a pre-beamformed static part and the moving part in material coordinates. */
export interface Tissue {
  grid: PolarGrid;
  scene: Scene;
  pose: ProbePose;
  wavelength: number;
  /** Splatted (not yet PSF-convolved) static scatterers. */
  staticMap: ComplexImage;
  /** Moving scatterers (structure-of-arrays). */
  count: number;
  kind: Uint8Array;
  owner: Uint16Array;
  blood: Uint8Array;
  amp: Float32Array;
  /** Material coordinates; meaning depends on kind (see {@linkcode buildTissue}). */
  m0: Float32Array;
  m1: Float32Array;
  m2: Float32Array;
  m3: Float32Array;
}

/** Samples the clip's scatterers and assigns them to the scene's anatomy at the reference moment (ED). */
export function buildTissue(
  scene: Scene,
  grid: PolarGrid,
  pose: ProbePose,
  rng: Random,
  opts: TissueOptions,
): Tissue {
  const n = Math.round(opts.density * grid.nr * grid.nt);
  const kind = new Uint8Array(n), owner = new Uint16Array(n), blood = new Uint8Array(n);
  const amp = new Float32Array(n);
  const m0 = new Float32Array(n),
    m1 = new Float32Array(n),
    m2 = new Float32Array(n),
    m3 = new Float32Array(n);
  const staticMap = makeComplexImage(grid);
  const heterogeneity = opts.heterogeneity ?? 0.35;
  const texture = makeTexture(Random.from(opts.textureSeed), heterogeneity);
  // Tissue around the heart (fat, lung edges, mediastinum) is much patchier than myocardium.
  const patchy = makeTexture(Random.from(opts.textureSeed ^ 0x5a5a5a5a), 2 * heterogeneity);
  const cosR = Math.cos(pose.rotation), sinR = Math.sin(pose.rotation);
  // Probe origin in template coordinates, for beam directions (specular reflection).
  const ox = cosR * -pose.shiftX + sinR * -pose.shiftZ;
  const oz = -sinR * -pose.shiftX + cosR * -pose.shiftZ;
  const structs = scene.structures;
  const table = blockTable(structs);
  const local = new Float64Array(5);
  const k4pi = (4 * Math.PI) / opts.wavelength;
  const rMax = grid.dr * grid.nr, twoHalf = 2 * grid.halfAngle;
  let count = 0;
  for (let q = 0; q < n; q++) {
    const r = rMax * rng.next();
    const th = -grid.halfAngle + twoHalf * rng.next();
    const px = r * Math.sin(th), pz = r * Math.cos(th);
    // Template coordinates: inverse rigid pose.
    const dx = px - pose.shiftX, dz = pz - pose.shiftZ;
    const tx = cosR * dx + sinR * dz, tz = -sinR * dx + cosR * dz;
    const g = rng.normal();
    const si = findBlock(table, tx, tz, local);
    if (si < 0) {
      splat(staticMap, grid, px, pz, scene.backgroundEcho(px, pz) * patchy(tx, tz) * g, k4pi * r);
      continue;
    }
    const code = table.kind[si];
    if (code === KIND_CHAMBER) {
      const s = structs[si] as Chamber;
      const rho = local[0], cpsi = local[1], spsi = local[2], dIn = local[3], depthInWall = local[4];
      const inCavity = rho <= 1;
      let echo: number;
      if (inCavity) {
        echo = s.cavityEcho * (s.cavityIsBlood ? 1 : texture(tx, tz));
      } else {
        // Specular interfaces: bright where the beam hits the wall face-on, dropping out where the wall runs
        // along the beam. The normal is the ellipse's gradient direction.
        const ca = table.ca[si], sa = table.sa[si];
        const gu = cpsi / table.a[si], gv = spsi / table.b[si];
        const gl = len2d(gu, gv) || 1;
        const nx = (gu * ca - gv * sa) / gl, nz = (gu * sa + gv * ca) / gl;
        const bx = tx - ox, bz = tz - oz, bl = len2d(bx, bz) || 1;
        const cosInc = Math.abs((nx * bx + nz * bz) / bl);
        const atInterface = depthInWall < 0.18 || depthInWall > s.wall - 0.18;
        const spec = atInterface ? 0.45 + 2.0 * cosInc * Math.sqrt(cosInc) : 0.9 + 0.2 * cosInc;
        const epi = s.brightEpicardium && depthInWall > s.wall - 0.2 ? 2.5 : 1;
        echo = s.wallEcho * texture(tx, tz) * spec * epi;
      }
      if (s.isStatic) {
        splat(staticMap, grid, px, pz, echo * g, k4pi * r);
        continue;
      }
      const isBlood = inCavity && s.cavityIsBlood;
      // Blood is 35 dB below tissue and barely visible: keep a quarter of its scatterers at twice the
      // amplitude (same mean intensity), which saves a third of the per-frame work.
      if (isBlood) {
        if (rng.next() >= BLOOD_KEEP) continue;
        echo /= Math.sqrt(BLOOD_KEEP);
      }
      let oi = si, cu = cpsi, cv = spsi, rr = rho, di = dIn;
      if (s.motionOwner !== undefined) {
        // The block rides another block's motion (papillary muscles on the LV): re-express in the owner's frame.
        oi = s.motionOwner;
        if (table.kind[oi] !== KIND_CHAMBER) {
          throw new Error(`tissue: motion owner of "${s.name}" must be a chamber`);
        }
        const ex = tx - table.x[oi], ez = tz - table.z[oi];
        const ou = (ex * table.ca[oi] + ez * table.sa[oi]) / table.a[oi];
        const ov = (-ex * table.sa[oi] + ez * table.ca[oi]) / table.b[oi];
        rr = len2d(ou, ov);
        cu = rr > 1e-9 ? ou / rr : 1;
        cv = rr > 1e-9 ? ov / rr : 0;
        di = len2d(table.a[oi] * cu, table.b[oi] * cv);
      }
      kind[count] = KIND_CHAMBER;
      owner[count] = oi;
      blood[count] = isBlood ? 1 : 0;
      amp[count] = echo * g;
      m0[count] = cu;
      m1[count] = cv;
      m2[count] = rr;
      m3[count] = di;
      count++;
    } else if (code === KIND_LEAFLET) {
      const s = structs[si] as Leaflet;
      const bx = tx - ox, bz = tz - oz, bl = len2d(bx, bz) || 1;
      const cosInc = Math.abs((-table.sa[si] * bx + table.ca[si] * bz) / bl);
      kind[count] = KIND_LEAFLET;
      owner[count] = si;
      amp[count] = s.echo * (0.35 + 0.65 * cosInc) * g;
      m0[count] = local[0];
      m1[count] = local[1];
      count++;
    } else {
      const s = structs[si] as Arc;
      const inLumen = Math.abs(local[1]) <= s.lumen;
      if (inLumen && rng.next() >= BLOOD_KEEP) continue;
      kind[count] = KIND_ARC;
      owner[count] = si;
      blood[count] = inLumen ? 1 : 0;
      amp[count] = (inLumen ? 0.018 / Math.sqrt(BLOOD_KEEP) : s.wallEcho * texture(tx, tz)) * g;
      m0[count] = local[0];
      m1[count] = local[1];
      count++;
    }
  }
  return {
    grid,
    scene,
    pose,
    wavelength: opts.wavelength,
    staticMap,
    count,
    kind: kind.subarray(0, count),
    owner: owner.subarray(0, count),
    blood: blood.subarray(0, count),
    amp: amp.subarray(0, count),
    m0: m0.subarray(0, count),
    m1: m1.subarray(0, count),
    m2: m2.subarray(0, count),
    m3: m3.subarray(0, count),
  };
}

/**
 * Splats the moving scatterers at one moment into `img` (which the caller zeroes). `rng` supplies the fresh
 * per-frame phases of blood scatterers.
 */
export function splatMovingTissue(t: Tissue, state: CycleState, img: ComplexImage, rng: Random): void {
  const structs = t.scene.structures;
  // Per-structure pose at this moment: [cx|hx, cz|hz, a|cos, b|sin, cosAxis, sinAxis|lumenRatio].
  const P = new Float64Array(structs.length * 6);
  for (let i = 0; i < structs.length; i++) {
    const s = structs[i], o = i * 6;
    if (s.kind === "chamber") {
      const q = s.poseAt(state);
      P[o] = q.cx, P[o + 1] = q.cz, P[o + 2] = q.a, P[o + 3] = q.b;
      P[o + 4] = Math.cos(s.angle), P[o + 5] = Math.sin(s.angle);
    } else if (s.kind === "leaflet") {
      const q = s.poseAt(state);
      P[o] = q.hx, P[o + 1] = q.hz, P[o + 2] = Math.cos(q.angle), P[o + 3] = Math.sin(q.angle);
    } else {
      P[o] = s.lumenAt(state), P[o + 1] = s.lumen;
    }
  }
  const pose = t.pose;
  const resp = 0.5 - 0.5 * Math.cos(2 * Math.PI * state.respPhase);
  const cosR = Math.cos(pose.rotation), sinR = Math.sin(pose.rotation);
  const offX = pose.shiftX + resp * pose.respX, offZ = pose.shiftZ + resp * pose.respZ;
  const k4pi = (4 * Math.PI) / t.wavelength;
  const grid = t.grid;
  const { kind, owner, blood, amp, m0, m1, m2, m3 } = t;
  for (let k = 0; k < t.count; k++) {
    const o = owner[k] * 6;
    let x: number, z: number;
    const kd = kind[k];
    if (kd === KIND_CHAMBER) {
      const a = P[o + 2], b = P[o + 3], cp = m0[k], sp = m1[k], rho = m2[k];
      let lu: number, lv: number;
      if (rho <= 1) {
        lu = a * rho * cp;
        lv = b * rho * sp;
      } else {
        // Wall: keep the area between endocardium and this point (2-D incompressibility), so walls thicken as
        // the cavity shrinks.
        const ex = a * cp, ey = b * sp;
        const dInT = Math.sqrt(ex * ex + ey * ey);
        const dIn = m3[k];
        const f = Math.sqrt(dInT * dInT + (rho * rho - 1) * dIn * dIn) / dInT;
        lu = f * ex;
        lv = f * ey;
      }
      const ca = P[o + 4], sa = P[o + 5];
      x = P[o] + lu * ca - lv * sa;
      z = P[o + 1] + lu * sa + lv * ca;
    } else if (kd === KIND_LEAFLET) {
      const ca = P[o + 2], sa = P[o + 3];
      x = P[o] + m0[k] * ca - m1[k] * sa;
      z = P[o + 1] + m0[k] * sa + m1[k] * ca;
    } else {
      const s = structs[owner[k]];
      if (s.kind !== "arc") continue;
      const lumT = P[o], lum = P[o + 1], off = m1[k];
      const offT = Math.abs(off) <= lum ? off * (lumT / lum) : off + Math.sign(off) * (lumT - lum);
      const rad = s.radius + offT;
      x = s.cx + rad * Math.cos(m0[k]);
      z = s.cz + rad * Math.sin(m0[k]);
    }
    const px = cosR * x - sinR * z + offX;
    const pz = sinR * x + cosR * z + offZ;
    const phase = blood[k] ? 2 * Math.PI * rng.next() : k4pi * Math.sqrt(px * px + pz * pz);
    splat(img, grid, px, pz, amp[k], phase);
  }
}
