import assert from "node:assert/strict";
import { escapeHtml } from "./escape.ts";
import { figureHtml } from "./figure_html.ts";
import { tableHtml } from "./table_html.ts";

Deno.test("escapeHtml escapes markup characters", () => {
  assert.equal(escapeHtml(`<a href="x">&'`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
});

Deno.test("tableHtml renders group rows and a missing note for an empty group", () => {
  const html = tableHtml({
    id: "t",
    title: "T <1>",
    columns: ["Model", "MAE"],
    groups: [{ label: "Paper", rows: [["A", "1.00"]] }, { label: "Ours", rows: [] }],
    caption: "cap",
    missing: "No EF results yet.",
  });
  assert.match(html, /<h3>T &lt;1&gt;<\/h3>/);
  assert.match(
    html,
    /<tr class="group"><th colspan="2">Paper<\/th><\/tr><tr><th>A<\/th><td>1\.00<\/td><\/tr>/,
  );
  assert.match(html, /<td class="missing" colspan="2">No EF results yet\.<\/td>/);
});

Deno.test("figureHtml inlines the SVG with scoped ids, or shows the missing note", () => {
  const html = figureHtml({ id: "f", title: "F", caption: "c", svg: '<svg><clipPath id="c1"/></svg>' });
  assert.match(html, /<svg><clipPath id="f-c1"\/><\/svg>/);
  assert.match(html, /href="f\.png"/);
  assert.match(figureHtml({ id: "g", title: "G", caption: "", missing: "later" }), /class="missing">later</);
});
