/**
 * The view classes the phantom renders. Names and order follow the EchoJEPA view probe's 13 classes
 * (`classifier/mappings/views.json`), so a class index here is the same integer a reference-style CSV would use.
 */

/** All view classes, in the reference's class-index order. */
export const VIEW_NAMES = [
  "A2C",
  "A3C",
  "A4C",
  "A5C",
  "Exclude",
  "PLAX",
  "PSAX-AP",
  "PSAX-AV",
  "PSAX-MV",
  "PSAX-PM",
  "SSN",
  "Subcostal",
  "TEE",
] as const;

/** One view class name. */
export type ViewName = typeof VIEW_NAMES[number];

/** The class index of a view name (its position in {@linkcode VIEW_NAMES}). */
export function viewIndex(view: ViewName): number {
  const i = VIEW_NAMES.indexOf(view);
  if (i < 0) throw new Error(`phantom: unknown view "${view}"; expected one of ${VIEW_NAMES.join(", ")}`);
  return i;
}

/** Narrows a string to a view name, with an error that lists the valid names. */
export function parseViewName(name: string): ViewName {
  const found = VIEW_NAMES.find((v) => v.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`phantom: unknown view "${name}"; expected one of ${VIEW_NAMES.join(", ")}`);
  return found;
}
