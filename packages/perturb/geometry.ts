/**
 * Where each pixel sits in the ultrasound beam: depth along its ray and lateral position across the sector. With a
 * known sector (apex, angles, radius) rays fan out from the apex; without one, image coordinates stand in (rows as
 * depth, columns as lateral position), so every perturbation works either way.
 *
 * @module
 */

/**
 * A phased-array sector in pixel coordinates. Angles are measured from the downward vertical through the apex,
 * positive towards the image's right (+x).
 */
export interface SectorGeometry {
  /** Apex column in pixels (may lie outside the image). */
  apexX: number;
  /** Apex row in pixels (often slightly above the first row). */
  apexY: number;
  /** Angle of the left edge of the sector, radians (negative = left of vertical). */
  angleStart: number;
  /** Angle of the right edge, radians; must exceed `angleStart`. */
  angleEnd: number;
  /** Radius of the far arc in pixels (the imaging depth). */
  radius: number;
  /** Radius where the image starts, pixels. Default 0. */
  nearRadius?: number;
  /** Physical depth that `radius` represents, cm. Default 15 (adult apical window). */
  depthCm?: number;
}

/** Per-pixel beam coordinates of an `[H, W]` frame. */
export interface BeamCoordinates {
  /** `"sector"` when built from a {@link SectorGeometry}, `"image"` for the fallback. */
  kind: "sector" | "image";
  /** Frame height. */
  height: number;
  /** Frame width. */
  width: number;
  /** Depth along the ray as a fraction of the imaging depth (0 at the apex, 1 at the far arc / last row). */
  depth: Float32Array;
  /** Lateral position: −1 at the left edge of the sector (or first column), +1 at the right edge (or last). */
  lateral: Float32Array;
  /** 1 inside the imaged sector, 0 outside (all ones in the image fallback). */
  inside: Uint8Array;
  /** Physical depth of `depth = 1`, cm. */
  depthCm: number;
}

/** Default physical imaging depth in cm when none is given. */
export const DEFAULT_DEPTH_CM = 15;

/**
 * Beam coordinates of every pixel: from the sector when given, else image coordinates (depth = y/(H−1),
 * lateral = 2x/(W−1) − 1, all pixels inside).
 */
export function beamCoordinates(height: number, width: number, sector?: SectorGeometry): BeamCoordinates {
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
    throw new RangeError(
      `beamCoordinates: height and width must be positive integers, got ${height}×${width}`,
    );
  }
  const n = height * width;
  const depth = new Float32Array(n);
  const lateral = new Float32Array(n);
  const inside = new Uint8Array(n);
  if (!sector) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        depth[i] = height === 1 ? 0 : y / (height - 1);
        lateral[i] = width === 1 ? 0 : (2 * x) / (width - 1) - 1;
        inside[i] = 1;
      }
    }
    return { kind: "image", height, width, depth, lateral, inside, depthCm: DEFAULT_DEPTH_CM };
  }
  const { apexX, apexY, angleStart, angleEnd, radius } = sector;
  const nearRadius = sector.nearRadius ?? 0;
  if (!(angleEnd > angleStart) || !(radius > nearRadius) || !(nearRadius >= 0)) {
    throw new RangeError(
      `beamCoordinates: sector needs angleEnd > angleStart and radius > nearRadius ≥ 0, got ${
        JSON.stringify(sector)
      }`,
    );
  }
  const depthCm = sector.depthCm ?? DEFAULT_DEPTH_CM;
  if (!(depthCm > 0)) throw new RangeError(`beamCoordinates: depthCm must be > 0, got ${depthCm}`);
  const span = angleEnd - angleStart;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const dx = x - apexX;
      const dy = y - apexY;
      const r = Math.sqrt(dx * dx + dy * dy);
      const theta = Math.atan2(dx, dy); // 0 straight down, positive to the right
      depth[i] = r / radius;
      lateral[i] = (2 * (theta - angleStart)) / span - 1;
      inside[i] = dy >= 0 && r >= nearRadius && r <= radius && theta >= angleStart && theta <= angleEnd
        ? 1
        : 0;
    }
  }
  return { kind: "sector", height, width, depth, lateral, inside, depthCm };
}
