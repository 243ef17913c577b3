/**
 * On-screen UI burned into the picture outside (and at the bottom edge of) the sector, as scanners do: a text
 * block of digits, a depth scale of tick marks, and a scrolling ECG trace synchronised with the simulated beat.
 * A view classifier must learn to ignore these.
 */

/** 3×5 bitmaps of the digits 0–9 (rows top to bottom, 3 bits each, MSB = left). */
const DIGITS: readonly number[][] = [
  [7, 5, 5, 5, 7],
  [2, 6, 2, 2, 7],
  [7, 1, 7, 4, 7],
  [7, 1, 3, 1, 7],
  [5, 5, 7, 1, 1],
  [7, 4, 7, 1, 7],
  [7, 4, 7, 5, 7],
  [7, 1, 2, 2, 2],
  [7, 5, 7, 5, 7],
  [7, 5, 7, 1, 7],
];

/** Draws a non-negative integer at (x, y) (top-left), `scale` pixels per font pixel. */
export function drawNumber(
  img: Float32Array,
  width: number,
  height: number,
  value: number,
  x: number,
  y: number,
  grey: number,
  scale = 1,
): void {
  const text = String(Math.max(0, Math.round(value)));
  for (let c = 0; c < text.length; c++) {
    const glyph = DIGITS[text.charCodeAt(c) - 48];
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 3; col++) {
        if (!((glyph[row] >> (2 - col)) & 1)) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = x + (c * 4 + col) * scale + sx, py = y + row * scale + sy;
            if (px >= 0 && py >= 0 && px < width && py < height) img[py * width + px] = grey;
          }
        }
      }
    }
  }
}

/** A synthetic ECG value (arbitrary units, R peak ≈ 1) at a cycle phase (0 = end-diastole = R wave). */
export function ecgAtPhase(phase: number, systoleFraction: number): number {
  const p = phase - Math.floor(phase);
  const g = (c: number, w: number) => {
    let d = p - c;
    d -= Math.round(d);
    return Math.exp(-((d / w) ** 2));
  };
  return 1.0 * g(0, 0.012) - 0.15 * g(0.025, 0.01) - 0.1 * g(-0.02, 0.01) +
    0.28 * g(0.75 * systoleFraction, 0.06) +
    0.12 * g(-0.12, 0.03);
}

/** What the UI shows for one frame. */
export interface OverlayInfo {
  depthCm: number;
  /** Physical height of the display, cm (depth / zoom), for the depth scale. */
  displayHeightCm: number;
  heartRate: number;
  fps: number;
  /** Time of this frame, s, and the cycle phase as a function of time (for the ECG sweep). */
  timeSec: number;
  phaseAt: (timeSec: number) => number;
  systoleFraction: number;
  /** Which corner holds the text block (varies per clip). */
  textLeft: boolean;
}

/** Burns the UI into a float display image. */
export function drawOverlay(img: Float32Array, width: number, height: number, info: OverlayInfo): void {
  const s = Math.max(1, Math.round(width / 160));
  const tx = info.textLeft ? 1 : width - 1 - 4 * 3 * s;
  drawNumber(img, width, height, info.depthCm, tx, 1, 200, s);
  drawNumber(img, width, height, info.fps, tx, 1 + 6 * s, 170, s);
  drawNumber(img, width, height, info.heartRate, info.textLeft ? width - 1 - 4 * 3 * s : 1, 1, 170, s);
  // Depth scale: a tick per cm along the right edge.
  const side = info.displayHeightCm;
  for (let cm = 1; cm < side; cm++) {
    const py = Math.round((cm / side) * height);
    if (py < height) img[py * width + width - 1] = 220;
    if (cm % 5 === 0 && py < height) img[py * width + width - 2] = 220;
  }
  // ECG: a sweep of 2 s across the width; the newest sample sits at the sweep cursor.
  const sweep = 2;
  const base = height - 4 * s, amp = 5 * s;
  const cursor = ((info.timeSec % sweep) / sweep) * width;
  let prevY = -1;
  for (let x = 0; x < width; x++) {
    const lag = ((cursor - x + width) % width) / width * sweep;
    if (lag > sweep * 0.95) {
      prevY = -1;
      continue; // the gap just ahead of the cursor
    }
    const y = Math.round(base - amp * ecgAtPhase(info.phaseAt(info.timeSec - lag), info.systoleFraction));
    const y0 = prevY < 0 ? y : prevY;
    for (let yy = Math.min(y, y0); yy <= Math.max(y, y0); yy++) {
      if (yy >= 0 && yy < height) img[yy * width + x] = 190;
    }
    prevY = y;
  }
}
