/**
 * Row labels of our backbones in the tables.
 *
 * @module
 */

import type { Backbone } from "../../demo/results.ts";

/** What each backbone is, as a table row label. */
export const BACKBONE_ROW_LABELS: Record<Backbone, string> = {
  jepa: "JEPA (latent prediction)",
  mae: "MAE (pixel reconstruction)",
  random: "Random init (floor)",
};
