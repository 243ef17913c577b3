/**
 * The report's stylesheet, inlined into the page so it opens offline.
 *
 * @module
 */

/** CSS of the report page. */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 15px/1.5 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1180px;
  margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 .5em; }
.meta { color: #666; margin-top: 0; }
.banner { background: #fff8e1; border-left: 4px solid #f0b400; padding: .6em 1em; }
.problems { background: #fdecea; border-left: 4px solid #d93025; padding: .6em 1em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .92em; font-variant-numeric: tabular-nums; }
th, td { padding: .3em .7em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
thead th { border-bottom: 2px solid #999; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tbody th { font-weight: normal; text-align: left; }
tr.group th { text-align: left; font-weight: bold; background: #f5f5f5; color: #444; }
td.missing, p.missing { color: #999; font-style: italic; text-align: left; }
.caption, figcaption { color: #444; font-size: .9em; max-width: 60em; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .1em 1.2em; font-size: .92em; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; }
footer { margin-top: 3em; color: #888; font-size: .85em; }
`;
