/**
 * Row labels of our backbones in the tables.
 *
 * @module
 */

import type { Backbone } from "../../demo/results.ts";

/** What each backbone is, as a table row label. */
export const BACKBONE_ROW_LABELS: Record<Backbone, string> = {
  jepa: "JEPA (latent prediction, target encoder)",
  "jepa-online": "JEPA online encoder",
  mae: "MAE (pixel reconstruction)",
  random: "Random init (the pretraining init)",
  "random-2": "Random init, 2nd seed",
  "random-3": "Random init, 3rd seed",
  pixels: "Raw pixels (tubelets)",
};
