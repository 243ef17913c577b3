/**
 * The report's table model: a title, column headings, row groups (the paper's numbers, then ours) and a caption
 * computed from the numbers. Rendered to HTML by `html/table_html.ts`.
 *
 * @module
 */

/** A labelled block of rows (e.g. "Paper (real echo data)" or "Ours (phantom)"). */
export interface TableGroup {
  label: string;
  /** Cells of each row, one per column. */
  rows: string[][];
}

/** One results table. */
export interface Table {
  /** Anchor id in the page. */
  id: string;
  title: string;
  columns: string[];
  groups: TableGroup[];
  /** Which backbone won on our data and how the paper compares, computed from the numbers. */
  caption: string;
  /** Set when our part of the table has no numbers yet: says what is missing. */
  missing?: string;
}

/** The label of the group that holds the paper's numbers. */
export const PAPER_GROUP = "Paper (real echocardiograms, for orientation)";
/** The label of the group that holds our numbers. */
export const OURS_GROUP = "Ours (phantom miniature)";
/** Said under every table: what the phantom numbers can and cannot say. */
export const PHANTOM_NOTE =
  "The phantom run is a miniature on synthetic data, not a reproduction: compare the direction of differences, not the values.";
