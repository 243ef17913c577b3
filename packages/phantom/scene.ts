/**
 * Chooses the template for a view and any view-specific probe misalignment ("Exclude" off-axis cuts).
 */

import type { SceneContext, ViewTemplate } from "./scene_context.ts";
import { apicalView } from "./scenes_apical.ts";
import { excludeLungView, ssnView, subcostalView } from "./scenes_other.ts";
import { plaxView, psaxView } from "./scenes_parasternal.ts";
import type { ViewName } from "./views.ts";

/** A template plus the extra misalignment its view implies (only "Exclude" has any). */
export interface PlacedTemplate extends ViewTemplate {
  /** Extra rotation of the anatomy, degrees. */
  extraRotationDeg: number;
  /** Extra lateral shift, cm. */
  extraShiftX: number;
}

const PROPER_VIEWS: readonly ViewName[] = [
  "A2C",
  "A3C",
  "A4C",
  "A5C",
  "PLAX",
  "PSAX-AP",
  "PSAX-AV",
  "PSAX-MV",
  "PSAX-PM",
  "SSN",
  "Subcostal",
  "TEE",
];

/** Builds the anatomy template of a view. */
export function buildViewTemplate(view: ViewName, ctx: SceneContext): PlacedTemplate {
  const plain = (t: ViewTemplate): PlacedTemplate => ({ ...t, extraRotationDeg: 0, extraShiftX: 0 });
  switch (view) {
    case "A2C":
    case "A3C":
    case "A4C":
    case "A5C":
    case "TEE":
      return plain(apicalView(view, ctx));
    case "PLAX":
      return plain(plaxView(ctx));
    case "PSAX-AV":
      return plain(psaxView("AV", ctx));
    case "PSAX-MV":
      return plain(psaxView("MV", ctx));
    case "PSAX-PM":
      return plain(psaxView("PM", ctx));
    case "PSAX-AP":
      return plain(psaxView("AP", ctx));
    case "Subcostal":
      return plain(subcostalView(ctx));
    case "SSN":
      return plain(ssnView(ctx));
    case "Exclude": {
      if (ctx.rng.chance(0.5)) return plain(excludeLungView(ctx));
      const inner = buildViewTemplate(ctx.rng.pick(PROPER_VIEWS.filter((v) => v !== "TEE")), ctx);
      const sign = ctx.rng.chance(0.5) ? 1 : -1;
      return {
        ...inner,
        extraRotationDeg: sign * ctx.rng.uniform(35, 80),
        extraShiftX: -sign * ctx.rng.uniform(1, 3) * ctx.patient.heartScale,
      };
    }
  }
}
