import assert from "node:assert/strict";
import { formatDuration, ProgressBar } from "./progress.ts";

function recorder(): { written: string[]; write: (t: string) => void; clock: { t: number } } {
  const written: string[] = [];
  return { written, write: (t) => written.push(t), clock: { t: 0 } };
}

Deno.test("ProgressBar: bar, count, percentage, rate and ETA in place; a final newline", () => {
  const r = recorder();
  const bar = new ProgressBar(10, {
    label: "work",
    enabled: true,
    width: 10,
    write: r.write,
    now: () => r.clock.t,
  });
  bar.update(0);
  r.clock.t = 2000;
  bar.update(4, 10, "loss 0.5");
  const line = r.written.at(-1)!;
  assert.ok(line.startsWith("\rwork [####------] 4/10 40.0% 2.00 it/s ETA 3s loss 0.5"), line);
  r.clock.t = 2050;
  bar.update(5); // within 100 ms of the last draw: skipped
  assert.equal(r.written.length, 2);
  r.clock.t = 2060;
  bar.update(10); // the last item is always drawn
  assert.equal(r.written.length, 3);
  bar.finish();
  assert.equal(r.written.at(-1), "\n");
});

Deno.test("ProgressBar: the rate counts from the first update (a resumed job)", () => {
  const r = recorder();
  const bar = new ProgressBar(200, { enabled: true, unit: "step", write: r.write, now: () => r.clock.t });
  bar.update(100);
  r.clock.t = 10_000;
  assert.match(bar.line(150), /150\/200 75\.0% 5\.00 step\/s ETA 10s/);
});

Deno.test("ProgressBar: quiet when disabled, but log still prints", () => {
  const r = recorder();
  const bar = new ProgressBar(3, { enabled: false, write: r.write });
  bar.update(1);
  bar.update(3);
  bar.finish();
  assert.deepEqual(r.written, []);
  bar.log("note");
  assert.deepEqual(r.written, ["note\n"]);
  assert.equal(bar.enabled, false);
});

Deno.test("formatDuration: hours, minutes, seconds and unknown", () => {
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(12.4), "12s");
  assert.equal(formatDuration(Number.NaN), "?");
  assert.equal(formatDuration(-1), "?");
});
