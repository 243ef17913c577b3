/**
 * Every results table of the report, in page order.
 *
 * @module
 */

import type { RunResults } from "../run_data.ts";
import type { Table } from "../table.ts";
import { controlledTable } from "./controlled.ts";
import { efTable } from "./ef.ts";
import { fractionsTable } from "./fractions.ts";
import { pediatricTable } from "./pediatric.ts";
import { protocolTable } from "./protocol.ts";
import { verdictsTable } from "./verdicts.ts";
import { robustnessTable } from "./robustness.ts";
import { rvspTable } from "./rvsp.ts";

/** All tables, in the order the report shows them. */
export function allTables(results: RunResults): Table[] {
  return [
    verdictsTable(results),
    controlledTable(results),
    protocolTable(results),
    fractionsTable(results),
    efTable(results),
    rvspTable(results),
    pediatricTable(results),
    robustnessTable(results),
  ];
}
