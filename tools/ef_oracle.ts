/**
 * The EF oracle at candidate demo clip geometries: how well a ridge on low-pass pixels predicts EF on held-out
 * phantom patients (its own seeds, never a demo split), beside the mean predictor. Choose the demo's size, frames
 * and fps where this clearly beats the mean; EF probes at geometries where it does not carry no signal.
 *
 *   deno run --allow-all tools/ef_oracle.ts [--train 300] [--test 100] [--seed 0]
 */

import { parseArgs } from "node:util";
import { numberFlag, runCli } from "./lib/cli.ts";
import { efPixelOracle, type NuisanceLevel } from "@echojepa/phantom";

function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      train: { type: "string", default: "300" },
      test: { type: "string", default: "100" },
      seed: { type: "string", default: "0" },
    },
  });
  const candidates: [number, number, number, NuisanceLevel, number][] = [
    [48, 8, 12, "full", 1], // the default demo's geometry
    [48, 8, 12, "clinical", 1],
    [32, 8, 12, "full", 1],
    [32, 8, 12, "clinical", 1],
    [32, 16, 16, "clinical", 1],
    [48, 16, 16, "clinical", 1],
    [32, 16, 16, "full", 1],
    [32, 16, 16, "clinical", 0],
    [32, 16, 16, "clinical", 2],
  ];
  console.log("size frames fps nuisance speckle | ridge MAE | mean-predictor MAE | R² | λ");
  for (const [size, frames, fps, nuisance, speckleStrength] of candidates) {
    const r = efPixelOracle({
      trainPatients: numberFlag("train", values.train, { integer: true, min: 2 })!,
      testPatients: numberFlag("test", values.test, { integer: true, min: 1 })!,
      seed: numberFlag("seed", values.seed, { integer: true })!,
      size,
      frames,
      fps,
      nuisance,
      speckleStrength,
    });
    console.log(
      `${size} ${frames} ${fps} ${nuisance} ${speckleStrength} | ${r.mae.toFixed(2)} | ${
        r.meanPredictorMae.toFixed(2)
      } | ` +
        `${r.r2.toFixed(3)} | ${r.lambda}`,
    );
  }
  return Promise.resolve();
}

if (import.meta.main) await runCli("ef_oracle", main);
