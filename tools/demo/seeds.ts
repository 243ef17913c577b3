/**
 * Every seed of a demo run, derived from the one `--seed`: the phantom's adult, EF-cohort and paediatric patients, the
 * pretraining run (initialisation, batches, masks; JEPA and MAE share it, so they start from the same weights), the
 * extra random initialisations, the label draws, the perturbations and the bootstrap resamples. Changing `--seed`
 * changes all of them, so an ordering can be checked against another seed's luck.
 */

/** The seeds of one run. */
export interface RunSeeds {
  /** The `--seed` they come from. */
  run: number;
  /** Adult phantom patients (their split, anatomy and acquisition). */
  adults: number;
  /** The EF cohort's adult patients (EF views only). */
  efAdults: number;
  /** Paediatric phantom patients. */
  pediatric: number;
  /** Pretraining: the encoder's initialisation, the clip pool, batches and masks (both objectives). */
  pretrain: number;
  /** Random-init controls; the first is the pretraining runs' own initialisation. */
  randomInits: number[];
  /** Label draws of the few-label settings (draw d uses labelDraws + d). */
  labelDraws: number;
  /** Perturbation noise of the robustness clips. */
  perturb: number;
  /** Bootstrap resamples of the comparisons. */
  bootstrap: number;
}

/** The seeds of a run with `--seed run` (a non-negative integer). */
export function runSeeds(run: number): RunSeeds {
  if (!(Number.isInteger(run) && run >= 0)) {
    throw new RangeError(`--seed: expected an integer ≥ 0, got ${run}`);
  }
  const base = run * 100;
  return {
    run,
    adults: base + 1,
    pediatric: base + 2,
    efAdults: base + 3,
    pretrain: base,
    randomInits: [base, base + 11, base + 12],
    labelDraws: base + 20,
    perturb: base + 30,
    bootstrap: base + 40,
  };
}
