/**
 * A {@link Table} as an HTML `<table>` with group header rows, its caption below and a note when our part is missing.
 *
 * @module
 */

import type { Table } from "../table.ts";
import { escapeHtml } from "./escape.ts";

/** Renders one table section (heading, table, caption). */
export function tableHtml(table: Table): string {
  const head = `<tr>${table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const body = table.groups.map((group) => {
    const label = `<tr class="group"><th colspan="${table.columns.length}">${
      escapeHtml(group.label)
    }</th></tr>`;
    const rows = group.rows.length > 0
      ? group.rows.map((row) =>
        `<tr>${
          row.map((cell, i) => (i === 0 ? `<th>` : `<td>`) + escapeHtml(cell) + (i === 0 ? `</th>` : `</td>`))
            .join("")
        }</tr>`
      )
      : [
        `<tr><td class="missing" colspan="${table.columns.length}">${
          escapeHtml(table.missing ?? "No results yet.")
        }</td></tr>`,
      ];
    return label + rows.join("");
  }).join("");
  return [
    `<section class="table" id="${escapeHtml(table.id)}">`,
    `<h3>${escapeHtml(table.title)}</h3>`,
    `<div class="scroll"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>`,
    `<p class="caption">${escapeHtml(table.caption)}</p>`,
    `</section>`,
  ].join("\n");
}
