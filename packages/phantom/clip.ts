/**
 * Rendering one clip: a patient's heart in one view, through one acquisition, as 8-bit grey frames with labels.
 */

import type { Acquisition, NuisanceLevel } from "./acquisition.ts";
import { sampleAcquisition, validateAcquisition } from "./acquisition.ts";
import { addSidelobeHaze, detectEnvelope, logCompress, receiveGains, scaleSpeckle } from "./bmode.ts";
import type { CycleTiming } from "./cardiac_cycle.ts";
import { cycleStateAt, lvVolumeAt } from "./cardiac_cycle.ts";
import type { ClipLabels } from "./labels.ts";
import { drawOverlay } from "./overlay.ts";
import type { Patient, PatientOptions } from "./patient.ts";
import { samplePatient } from "./patient.ts";
import type { ComplexImage, PolarGrid } from "./polar_grid.ts";
import { makeComplexImage, makePolarGrid } from "./polar_grid.ts";
import { convolvePsf, gaussianKernel, kernelEnergy } from "./psf.ts";
import { type Clip, deriveSeed, makeClip, Random } from "@echojepa/core";
import { makeScanConverter, scanConvert, sectorMask } from "./scan_convert.ts";
import { buildViewTemplate } from "./scene.ts";
import { buildTissue, splatMovingTissue } from "./tissue.ts";
import type { ViewName } from "./views.ts";
import { VIEW_NAMES, viewIndex } from "./views.ts";

/** Options of {@linkcode renderClip} and {@linkcode generateClip}. Every field is optional. */
export interface ClipOptions {
  /** View to render (default: drawn uniformly from `VIEW_NAMES` by `generateClip`). */
  view?: ViewName;
  /** Number of frames (default 16). */
  frames?: number;
  /** Frame height and width in pixels (default 112 × 112). */
  height?: number;
  width?: number;
  /** "full" (default) draws all nuisance settings at random; "none" fixes typical values. */
  nuisance?: NuisanceLevel;
  /** Override individual acquisition settings (e.g. `{ fps: 50, ui: false }`). */
  acquisition?: Partial<Acquisition>;
  /** Patient options for `generateClip` (ignored by `renderClip`, which receives a patient). */
  patient?: PatientOptions;
  /** Cycle phase of the first frame in [0, 1) (0 = end-diastole); random by default. */
  startPhase?: number;
  /** Mean scatterers per polar sample (default 2; ≥ 1.5 keeps speckle fully developed). */
  scattererDensity?: number;
  /**
   * Speckle strength relative to the default physics (default 1 = fully developed speckle as simulated; 0 = the
   * anatomy's low-frequency echogenicity image without speckle; 2 = twice the speckle's log-domain contrast).
   * Range [0, 4]. See `scaleSpeckle` in bmode.ts and the README's "Speckle strength".
   */
  speckleStrength?: number;
}

/** One rendered clip: its frames and what is known about them (labels, acquisition, cycle phase, sector). */
export interface RenderedClip {
  /** Grey frames, `[T, H, W]` uint8 on 0–255 (`@echojepa/core`'s `Clip`, row-major). */
  frames: Clip<Uint8Array>;
  /** Frames per second of the acquisition. */
  fps: number;
  labels: ClipLabels;
  /** The acquisition settings actually used. */
  acquisition: Acquisition;
  /** Cycle phase of each frame (0 = end-diastole). */
  phases: Float32Array;
  /** LV cavity volume at each frame, mL. */
  lvVolumes: Float32Array;
  /** `h × w` mask of the imaging sector (1 inside), e.g. for masking augmentations; UI lies outside it. */
  sectorMask: Uint8Array;
}

/** Renders a clip of a given patient and view. Same (patient, view, seed, options) → identical clip. */
export function renderClip(
  patient: Patient,
  view: ViewName,
  seed: number,
  options: ClipOptions = {},
): RenderedClip {
  const t = options.frames ?? 16, h = options.height ?? 112, w = options.width ?? 112;
  if (!(Number.isInteger(t) && t >= 1 && Number.isInteger(h) && h >= 16 && Number.isInteger(w) && w >= 16)) {
    throw new Error(`renderClip: need integer frames ≥ 1 and size ≥ 16×16, got t=${t} h=${h} w=${w}`);
  }
  const root = Random.from(deriveSeed(seed, 0xc11b));
  const sceneRng = root.fork(1), acqRng = root.fork(2), tissueRng = root.fork(3), frameRng = root.fork(4);
  const chestWall = (patient.pediatric ? 0.6 : 1) * sceneRng.uniform(1.0, 2.0);
  const template = buildViewTemplate(view, { patient, rng: sceneRng, chestWall });
  const acq: Acquisition = {
    ...sampleAcquisition(acqRng, template.nominalDepth, patient.pediatric, options.nuisance ?? "full"),
    ...options.acquisition,
  };
  validateAcquisition(acq);
  const density = options.scattererDensity ?? 2;
  if (!(density > 0 && density <= 50)) {
    throw new Error(`renderClip: scattererDensity must be in (0, 50], got ${density}`);
  }
  const speckleStrength = options.speckleStrength ?? 1;
  if (!(speckleStrength >= 0 && speckleStrength <= 4)) {
    throw new Error(`renderClip: speckleStrength must be in [0, 4], got ${speckleStrength}`);
  }
  const startPhase = options.startPhase ?? acqRng.next();
  const respPhase = acqRng.next();
  const textLeft = acqRng.chance(0.5);

  const halfAngle = (acq.sectorDeg * Math.PI) / 360;
  const grid = makePolarGrid(
    Math.round(1.15 * h),
    Math.max(16, Math.round(w * 2 * halfAngle * 0.8)),
    acq.depth,
    halfAngle,
  );
  // Rotate the anatomy about a pivot half-way down the sector (not about the probe), then shift.
  const rot = ((acq.rotationDeg + template.extraRotationDeg) * Math.PI) / 180;
  const pivotZ = acq.depth * 0.5;
  const pose = {
    rotation: rot,
    shiftX: acq.shiftX + template.extraShiftX + Math.sin(rot) * pivotZ,
    shiftZ: acq.shiftZ + pivotZ - Math.cos(rot) * pivotZ,
    respX: acq.respX,
    respZ: acq.respZ,
  };
  const wavelength = 0.154 / acq.frequencyMHz; // c = 1540 m/s → λ[cm] = 0.154 / f[MHz]
  const tissue = buildTissue(template.scene, grid, pose, tissueRng, {
    density,
    wavelength,
    textureSeed: patient.textureSeed,
  });
  addNearFieldClutter(
    tissue.staticMap,
    grid,
    template.scene.chestWallDepth,
    template.scene.clutter * acq.clutter,
    tissueRng,
  );

  // PSF: sized in cm from the frequency (coarser than the physical pulse: the display resolution limits it anyway).
  const sigmaR = Math.max(0.6, (0.12 * (2.5 / acq.frequencyMHz)) / grid.dr);
  const sigmaT = Math.max(0.6, (0.02 * (2.5 / acq.frequencyMHz)) / grid.dTheta);
  const kr = gaussianKernel(sigmaR), kt = gaussianKernel(sigmaT);
  const reference = Math.sqrt(density * kernelEnergy(kr) * kernelEnergy(kt));
  const gains = receiveGains(grid, {
    attenuation: patient.attenuation,
    frequencyMHz: acq.frequencyMHz,
    tgc: acq.tgc,
    noiseDb: acq.noiseDb,
    gainDb: acq.gainDb,
    dynamicRangeDb: acq.dynamicRangeDb,
    edgeFalloff: acq.edgeFalloff,
    reference,
  });

  const tmp = makeComplexImage(grid), staticIq = makeComplexImage(grid);
  convolvePsf(tissue.staticMap, grid, kr, kt, tmp, staticIq);
  const moving = makeComplexImage(grid), iq = makeComplexImage(grid);
  const envelope = new Float32Array(grid.nr * grid.nt), grey = new Float32Array(grid.nr * grid.nt);
  const sc = makeScanConverter(grid, h, w, acq.zoom);
  const display = new Float32Array(h * w), blurred = new Float32Array(h * w);
  const previousGrey = new Float32Array(grid.nr * grid.nt);
  // Side lobes spread over about ±7° whatever the line density.
  const sidelobeBeams = Math.max(2, Math.round(0.12 / grid.dTheta)), rowScratch = new Float32Array(grid.nt);
  const frames = new Uint8Array(t * h * w);
  // The local mean that speckle is scaled about spans ±3 PSF σ: a few speckle grains, far finer than anatomy.
  const speckleRadiusR = Math.ceil(3 * sigmaR), speckleRadiusT = Math.ceil(3 * sigmaT);
  const speckleScratch = {
    log: new Float32Array(grid.nr * grid.nt),
    mean: new Float32Array(grid.nr * grid.nt),
  };
  const timing: CycleTiming = {
    heartRate: patient.heartRate,
    systoleFraction: patient.systoleFraction,
    respRate: patient.respRate,
    phaseAtZero: startPhase,
    respPhaseAtZero: respPhase,
  };
  const phases = new Float32Array(t), lvVolumes = new Float32Array(t);
  for (let f = 0; f < t; f++) {
    const state = cycleStateAt(timing, f / acq.fps);
    phases[f] = state.phase;
    lvVolumes[f] = lvVolumeAt(patient.lvLength, patient.lvRadius, patient.ef, state.contraction);
    moving.re.fill(0);
    moving.im.fill(0);
    splatMovingTissue(tissue, state, moving, frameRng);
    convolvePsf(moving, grid, kr, kt, tmp, iq);
    for (let k = 0; k < iq.re.length; k++) {
      iq.re[k] += staticIq.re[k];
      iq.im[k] += staticIq.im[k];
    }
    detectEnvelope(iq, grid, gains, reference, frameRng, envelope);
    scaleSpeckle(envelope, grid, speckleStrength, speckleRadiusR, speckleRadiusT, speckleScratch);
    addSidelobeHaze(envelope, grid, acq.sidelobeDb, sidelobeBeams, rowScratch);
    logCompress(envelope, acq.gainDb, acq.dynamicRangeDb, grey);
    if (f > 0 && acq.persistence > 0) {
      // Scanner persistence: a first-order temporal filter on the displayed (log) image.
      const p = acq.persistence;
      for (let k = 0; k < grey.length; k++) grey[k] = (1 - p) * grey[k] + p * previousGrey[k];
    }
    previousGrey.set(grey);
    scanConvert(sc, grid.nt, grey, display);
    if (acq.smoothing > 0) smoothDisplay(display, w, h, acq.smoothing, blurred);
    if (acq.ui) {
      drawOverlay(display, w, h, {
        depthCm: acq.depth,
        displayHeightCm: acq.depth / acq.zoom,
        heartRate: patient.heartRate,
        fps: acq.fps,
        timeSec: f / acq.fps,
        phaseAt: (ts) => cycleStateAt(timing, ts).phase,
        systoleFraction: patient.systoleFraction,
        textLeft,
      });
    }
    const off = f * h * w;
    for (let k = 0; k < display.length; k++) frames[off + k] = display[k] + 0.5;
  }
  return {
    frames: makeClip(frames, [t, h, w]),
    fps: acq.fps,
    labels: {
      view,
      viewIndex: viewIndex(view),
      ef: patient.ef * 100,
      edv: patient.edv,
      esv: patient.esv,
      heartRate: patient.heartRate,
      rvsp: patient.rvsp,
      pediatric: patient.pediatric,
      patientId: patient.id,
    },
    acquisition: acq,
    phases,
    lvVolumes,
    sectorMask: sectorMask(sc),
  };
}

/**
 * Generates a clip of a random patient from one seed: the patient, the view (unless `options.view` is given) and
 * the acquisition all follow from it.
 */
export function generateClip(seed: number, options: ClipOptions = {}): RenderedClip {
  const rng = Random.from(deriveSeed(seed, 0x91c));
  const patient = samplePatient(rng.uint32(), options.patient);
  const view = options.view ?? rng.pick(VIEW_NAMES);
  return renderClip(patient, view, rng.uint32(), options);
}

/**
 * Display speckle reduction: blends the image toward its 3×3 binomial blur by `amount` (scanners smooth speckle
 * before display; it also stands in for the down-sampling that real 112×112 data sets went through).
 */
function smoothDisplay(img: Float32Array, w: number, h: number, amount: number, tmp: Float32Array): void {
  for (let y = 0; y < h; y++) {
    const ym = y > 0 ? y - 1 : y, yp = y < h - 1 ? y + 1 : y;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : x, xp = x < w - 1 ? x + 1 : x;
      const r0 = ym * w, r1 = y * w, r2 = yp * w;
      tmp[r1 + x] = (img[r0 + xm] + 2 * img[r0 + x] + img[r0 + xp] +
        2 * (img[r1 + xm] + 2 * img[r1 + x] + img[r1 + xp]) +
        img[r2 + xm] + 2 * img[r2 + x] + img[r2 + xp]) / 16;
    }
  }
  for (let k = 0; k < img.length; k++) img[k] += amount * (tmp[k] - img[k]);
}

/**
 * Stationary near-field clutter: haze decaying below the chest wall plus a faint reverberation copy of the chest
 * wall at twice its depth. It does not move with the heart, as in real apical clutter.
 */
function addNearFieldClutter(
  map: ComplexImage,
  grid: PolarGrid,
  chestWall: number,
  strength: number,
  rng: Random,
): void {
  if (strength <= 0) return;
  const { nr, nt, dr } = grid;
  for (let i = 0; i < nr; i++) {
    const z = (i + 0.5) * dr;
    if (z < chestWall) continue;
    const haze = 0.25 * strength * Math.exp(-(z - chestWall) / 1.2);
    const src = Math.floor(((z / 2) / dr) - 0.5);
    const echo = z < 2 * chestWall && src >= 0 ? 0.12 * strength : 0;
    for (let j = 0; j < nt; j++) {
      const k = i * nt + j;
      map.re[k] += haze * rng.normal() + echo * map.re[src * nt + j];
      map.im[k] += haze * rng.normal() + echo * map.im[src * nt + j];
    }
  }
}
